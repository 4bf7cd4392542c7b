import type { TelecmiBridge } from '../core/ipc/ipcContract';

declare global {
  interface Window {
    telecmi: TelecmiBridge;
  }
}

const root = document.querySelector<HTMLDivElement>('#app');
if (root) {
  const calls = await window.telecmi.invoke('calls:list');
  root.textContent = `${calls.length} calls`;
}

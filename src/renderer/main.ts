import type { TelecmiBridge } from '../core/ipc/ipcContract';
import { startWindow } from './app';

declare global {
  interface Window {
    telecmi: TelecmiBridge;
  }
}

void startWindow(window.telecmi, document.querySelector('#app') as HTMLElement);

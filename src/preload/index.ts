import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { invokeChannelNames, pushChannelNames } from '../core/ipc/ipcChannels';
import type { TelecmiBridge } from '../core/ipc/ipcContract';

/**
 * The window's only door to the app: exactly the channels of the IPC contract, nothing of
 * Node or Electron itself. Main validates every argument; this only refuses unknown channels.
 */
const invokable = new Set<string>(invokeChannelNames);
const pushable = new Set<string>(pushChannelNames);

const bridge: TelecmiBridge = {
  invoke: (channel, ...args) => {
    if (!invokable.has(channel)) return Promise.reject(new Error(`unknown channel ${channel}`));
    return ipcRenderer.invoke(channel, ...args);
  },
  on: (channel, listener) => {
    if (!pushable.has(channel)) throw new Error(`unknown channel ${channel}`);
    const forward = (_event: IpcRendererEvent, payload: Parameters<typeof listener>[0]): void => listener(payload);
    ipcRenderer.on(channel, forward);
    return () => void ipcRenderer.off(channel, forward);
  },
};

contextBridge.exposeInMainWorld('telecmi', bridge);

import type { IpcMainInvokeEvent, WebContents } from 'electron';
import { z } from 'zod';
import {
  invokeChannelNames,
  invokeChannels,
  type InvokeChannel,
  type InvokeResult,
  type PushChannel,
  type PushPayload,
} from '../core/ipc/ipcContract';
import type { Logger } from '../core/log/logger';
import type { ElectronDeps } from './electronDeps';

export type InvokeHandlers = {
  [C in InvokeChannel]: (...args: z.output<(typeof invokeChannels)[C]['args']>) => InvokeResult<C> | Promise<InvokeResult<C>>;
};

/**
 * The single chokepoint for IPC: every handler runs only for our own window and only with
 * arguments the contract accepts.
 */
export function registerIpc({
  ipcMain,
  isTrustedSender,
  handlers,
  log,
}: {
  ipcMain: ElectronDeps['ipcMain'];
  isTrustedSender: (event: IpcMainInvokeEvent) => boolean;
  handlers: InvokeHandlers;
  log: Logger;
}): void {
  for (const channel of invokeChannelNames) {
    ipcMain.handle(channel, (event, ...args: unknown[]) => {
      if (!isTrustedSender(event)) {
        log.warn('IPC refused: the sender is not the TeleCMI Notifier window', { channel, url: event.senderFrame?.url });
        throw new Error('refused: not the TeleCMI Notifier window');
      }
      const parsed = invokeChannels[channel].args.safeParse(args);
      if (!parsed.success) {
        log.warn('IPC refused: invalid arguments', { channel });
        throw new Error(`invalid arguments for ${channel}:\n${z.prettifyError(parsed.error)}`);
      }
      const handler = handlers[channel] as (...args: unknown[]) => unknown;
      return handler(...parsed.data);
    });
  }
}

/** A sender is trusted when it is our window's top frame, showing our own page. */
export function trustedSender(isOurWindow: (webContentsId: number) => boolean, isOurPage: (url: string) => boolean) {
  return (event: IpcMainInvokeEvent): boolean => {
    const frame = event.senderFrame;
    return isOurWindow(event.sender.id) && frame !== null && frame.parent === null && isOurPage(frame.url);
  };
}

/**
 * Pushes from main to the window over the same contract. The window is a view: failing to
 * update it is logged and never stops what caused the push (a notification, a webhook answer).
 */
export function createPusher(target: () => WebContents | undefined, log: Logger) {
  return <C extends PushChannel>(channel: C, payload: PushPayload<C>): void => {
    try {
      target()?.send(channel, payload);
    } catch (error) {
      log.warn('could not update the window', { channel, error: String(error) });
    }
  };
}

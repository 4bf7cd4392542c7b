import { ContactFileError } from '../core/contacts/contactFile';
import type { ContactLibrary } from '../core/contacts/contactLibrary';
import type { Logger } from '../core/log/logger';
import type { ElectronDeps } from './electronDeps';
import type { InvokeHandlers } from './ipc';
import type { TrayWindow } from './trayWindow';
import { errorMessage } from '../core/log/errorMessage';

export interface ContactHandlersOptions {
  contacts: ContactLibrary;
  dialog: ElectronDeps['dialog'];
  trayWindow: Pick<TrayWindow, 'withDialog'>;
  /** The status (with the contacts' count) changed. */
  onChange: () => void;
  log: Logger;
}

/** Import asks main for the file through the OS dialog: the window never names a path to read. */
export function contactHandlers({
  contacts,
  dialog,
  trayWindow,
  onChange,
  log,
}: ContactHandlersOptions): Pick<InvokeHandlers, 'contacts:import' | 'contacts:clear'> {
  return {
    'contacts:import': async () => {
      const { canceled, filePaths } = await trayWindow.withDialog((parent) =>
        dialog.showOpenDialog(parent, {
          properties: ['openFile'],
          filters: [{ name: 'Contacts (CSV or vCard)', extensions: ['csv', 'vcf', 'vcard', 'txt'] }],
        }),
      );
      const [filePath] = filePaths;
      if (canceled || !filePath) return { ok: false, message: 'Import cancelled.' };
      try {
        const report = await contacts.import(filePath);
        onChange();
        return { ok: true, report };
      } catch (error) {
        if (error instanceof ContactFileError) return { ok: false, message: `Nothing imported: ${error.message}` };
        log.error('contacts could not be imported', { error: String(error) });
        return { ok: false, message: `Nothing imported: ${errorMessage(error)}` };
      }
    },
    'contacts:clear': () => {
      contacts.clear();
      onChange();
      return { ok: true, message: 'Contacts cleared: callers are shown by number.' };
    },
  };
}

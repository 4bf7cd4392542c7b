import type { ImportReport } from '../../core/contacts/contactSchemas';
import type { InvokeResult } from '../../core/ipc/ipcContract';
import { fill, h } from '../dom';
import type { Store } from '../store';

export interface ContactsActions {
  importContacts(): Promise<InvokeResult<'contacts:import'>>;
  clearContacts(): Promise<string>;
}

const importedAt = (time: number): string => new Date(time).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });

function reportLines(report: ImportReport): HTMLElement[] {
  const headline = h(
    'p',
    { class: 'import-headline' },
    `Imported ${report.imported} of ${report.read} ${report.read === 1 ? 'entry' : 'entries'} from ${report.source}.`,
  );
  if (report.skippedCount === 0) return [headline];
  const more = report.skippedCount - report.skipped.length;
  return [
    headline,
    h('p', {}, `${report.skippedCount} skipped:`),
    h(
      'ul',
      { class: 'skipped' },
      ...report.skipped.map((skip) => h('li', {}, `${skip.where}: ${skip.reason}`)),
      more > 0 && h('li', {}, `… and ${more} more`),
    ),
  ];
}

/**
 * Settings → Contacts: callers' names come from a CSV or vCard file the agent imports (main asks
 * for the file). Each import replaces the contacts and says what it read and what it left out.
 */
export function createContactsPanel(store: Store, actions: ContactsActions) {
  const summary = h('p', { class: 'contacts-summary', role: 'status' });
  const report = h('div', { class: 'import-report', 'aria-live': 'polite' });
  const importButton = h('button', { type: 'button', class: 'primary', onClick: () => void importFile() }, 'Import contacts…');
  const clearButton = h('button', { type: 'button', class: 'danger', onClick: () => void clear() }, 'Clear contacts');

  async function importFile(): Promise<void> {
    importButton.disabled = true;
    try {
      const answer = await actions.importContacts();
      fill(report, ...(answer.ok ? reportLines(answer.report) : [h('p', {}, answer.message)]));
    } catch {
      fill(report, h('p', {}, 'The app did not answer: try again.'));
    } finally {
      importButton.disabled = false;
    }
  }

  async function clear(): Promise<void> {
    if (!confirm('Remove the imported contacts? Callers will be shown by number.')) return;
    fill(report, h('p', {}, await actions.clearContacts()));
  }

  const element = h(
    'section',
    { class: 'contacts', 'aria-labelledby': 'contacts-heading' },
    h('h2', { id: 'contacts-heading' }, 'Contacts'),
    h(
      'p',
      { class: 'hint' },
      'Names instead of numbers: a CSV export (with Name and Phone columns) or a vCard file. ' +
        'Numbers without a country code are read with the default country below.',
    ),
    summary,
    h('div', { class: 'actions' }, importButton, clearButton),
    report,
  );

  return {
    element,
    update(): void {
      const contacts = store.state.status?.contacts;
      summary.textContent = contacts
        ? `${contacts.count} contacts from ${contacts.source}, imported ${importedAt(contacts.importedAt)}.`
        : 'No contacts imported: callers are shown by number.';
      clearButton.hidden = !contacts;
    },
  };
}

import { getCountries } from 'libphonenumber-js/min';
import { settingsSchema } from '../../core/settings/settingsSchema';
import { h } from '../dom';
import { createContactsPanel, type ContactsActions } from './contactsPanel';
import { createConnectionPanel, type ConnectionActions } from './connectionPanel';
import { createTeamPanel, type TeamActions } from './teamPanel';
import type { Store } from '../store';

export interface SettingsActions {
  /** Saves the fields of the form; the app lays them over its current settings. */
  save(changes: Record<string, unknown>): Promise<Array<{ path: string; message: string }>>;
}

type EditableKey =
  | 'tunnelMode'
  | 'ownTunnelUrl'
  | 'ngrokDomain'
  | 'port'
  | 'host'
  | 'agents'
  | 'teams'
  | 'agentNames'
  | 'crmUrlTemplate'
  | 'screenPop'
  | 'defaultCountry'
  | 'maxCalls'
  | 'notificationSound'
  | 'startAtLogin';

interface FieldSpec {
  key: EditableKey;
  label: string;
  kind: 'number' | 'text' | 'list' | 'names' | 'checkbox' | 'select';
  hint?: string;
  options?: Record<string, string>;
  /** Shown only with this tunnel mode. */
  tunnel?: 'own' | 'ngrok';
}

const fields: FieldSpec[] = [
  {
    key: 'tunnelMode',
    label: 'Tunnel',
    kind: 'select',
    options: { own: 'I run my own tunnel (ngrok, cloudflared…)', ngrok: 'Built-in ngrok' },
  },
  {
    key: 'ownTunnelUrl',
    label: 'Your tunnel’s public URL',
    kind: 'text',
    hint: 'e.g. https://abc.trycloudflare.com: lets "Check connection" test the whole path.',
    tunnel: 'own',
  },
  {
    key: 'ngrokDomain',
    label: 'Reserved ngrok domain (optional)',
    kind: 'text',
    hint: 'e.g. agent.ngrok.app: keeps the URL the same across restarts.',
    tunnel: 'ngrok',
  },
  { key: 'port', label: 'Port', kind: 'number', hint: 'The local port the tunnel forwards to.' },
  { key: 'host', label: 'Listen address', kind: 'text', hint: 'Keep 127.0.0.1 unless you know why: the tunnel reaches it there.' },
  { key: 'agents', label: 'Agent ids', kind: 'list', hint: 'Comma separated, e.g. 204 or 204_2222223. Empty: every agent.' },
  { key: 'teams', label: 'Teams', kind: 'list', hint: 'Comma separated, e.g. Sales. Empty: every team.' },
  {
    key: 'agentNames',
    label: 'Colleagues’ names',
    kind: 'names',
    hint: 'e.g. 205 = Ravi Kumar; 206 = Ann Joseph: "Answered by Ravi Kumar" instead of "Answered by 205".',
  },
  { key: 'crmUrlTemplate', label: 'CRM link', kind: 'text', hint: 'https://crm.example.com/search?phone={from}' },
  {
    key: 'screenPop',
    label: 'Open the CRM link automatically',
    kind: 'select',
    options: { never: 'Never', ring: 'When a call rings', answer: 'When I answer' },
    hint: 'Once per call; never for calls announced late, summed up in a burst, or while notifications are paused.',
  },
  {
    key: 'defaultCountry',
    label: 'Default country',
    kind: 'select',
    options: countryOptions(),
    hint: 'For contact numbers written without a country code, like 098765 43210.',
  },
  { key: 'maxCalls', label: 'Calls kept in history', kind: 'number' },
  { key: 'notificationSound', label: 'Play a sound with notifications', kind: 'checkbox' },
  { key: 'startAtLogin', label: 'Start at login', kind: 'checkbox' },
];

/** `205 = Ravi Kumar; 206 = Ann` as agent id -> name; an entry without `=` names nobody and is left as the schema's message says. */
function namesFrom(text: string): Record<string, string> {
  const entries = text
    .split(';')
    .map((entry) => entry.trim())
    .filter(Boolean)
    .map((entry) => {
      const [agent = '', ...name] = entry.split('=');
      return [agent.trim(), name.join('=').trim()] as const;
    });
  return Object.fromEntries(entries);
}

const namesText = (names: Record<string, string>): string =>
  Object.entries(names)
    .map(([agent, name]) => `${agent} = ${name}`)
    .join('; ');

/** Every country libphonenumber knows, by name in the window's language. */
function countryOptions(): Record<string, string> {
  const names = new Intl.DisplayNames(undefined, { type: 'region' });
  const entries = getCountries().map((code) => [code, `${names.of(code) ?? code} (${code})`] as const);
  return Object.fromEntries(entries.sort((a, b) => a[1].localeCompare(b[1])));
}

/** Every setting of the one settings schema, checked as you type with that schema's messages. */
export function createSettingsView(
  store: Store,
  actions: SettingsActions,
  connectionActions: ConnectionActions,
  teamActions: TeamActions,
  contactsActions: ContactsActions,
  now: () => number,
) {
  const inputs = new Map<EditableKey, HTMLInputElement | HTMLSelectElement>();
  const rows = new Map<EditableKey, HTMLElement>();
  const errors = new Map<EditableKey, HTMLElement>();

  const valueOf = (spec: FieldSpec): unknown => {
    const input = inputs.get(spec.key) as HTMLInputElement;
    if (spec.kind === 'checkbox') return input.checked;
    if (spec.kind === 'select') return input.value;
    if (spec.kind === 'number') return input.value.trim() === '' ? undefined : Number(input.value);
    if (spec.kind === 'list')
      return input.value
        .split(',')
        .map((item) => item.trim())
        .filter(Boolean);
    if (spec.kind === 'names') return namesFrom(input.value);
    return input.value.trim();
  };

  const showError = (key: string, message: string | undefined): void => {
    const target = errors.get(key.split('.')[0] as EditableKey);
    if (!target) return;
    target.textContent = message ?? '';
    inputs.get(key.split('.')[0] as EditableKey)?.setAttribute('aria-invalid', String(Boolean(message)));
  };

  const check = (spec: FieldSpec): boolean => {
    const parsed = settingsSchema.shape[spec.key].safeParse(valueOf(spec) ?? Number.NaN);
    showError(spec.key, parsed.success ? undefined : parsed.error.issues[0]?.message);
    return parsed.success;
  };

  const formFields = fields.map((spec) => {
    const id = `setting-${spec.key}`;
    const input = spec.options
      ? h(
          'select',
          { id, name: spec.key, onChange: () => (check(spec), showTunnelFields()) },
          ...Object.entries(spec.options).map(([value, label]) => h('option', { value }, label)),
        )
      : h('input', {
          id,
          name: spec.key,
          type: spec.kind === 'checkbox' ? 'checkbox' : spec.kind === 'number' ? 'number' : 'text',
          'aria-describedby': `${id}-error`,
          onInput: () => check(spec),
        });
    inputs.set(spec.key, input);
    const error = h('span', { class: 'error', id: `${id}-error`, role: 'alert' });
    errors.set(spec.key, error);
    const row =
      spec.kind === 'checkbox'
        ? h('div', { class: 'field checkbox' }, h('label', { for: id }, input, ` ${spec.label}`), error)
        : h('div', { class: 'field' }, h('label', { for: id }, spec.label), input, spec.hint && h('small', {}, spec.hint), error);
    rows.set(spec.key, row);
    return row;
  });

  function showTunnelFields(): void {
    const mode = inputs.get('tunnelMode')?.value;
    for (const spec of fields) if (spec.tunnel) (rows.get(spec.key) as HTMLElement).hidden = spec.tunnel !== mode;
  }

  const savedNotice = h('span', { class: 'saved', 'aria-live': 'polite' });
  const form = h(
    'form',
    {
      class: 'settings-form',
      novalidate: true,
      onSubmit: (event: Event) => {
        event.preventDefault();
        void submit();
      },
    },
    ...formFields,
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, 'Save'), savedNotice),
  );

  async function submit(): Promise<void> {
    savedNotice.textContent = '';
    if (!fields.map(check).every(Boolean)) return;
    const issues = await actions.save(Object.fromEntries(fields.map((spec) => [spec.key, valueOf(spec)])));
    for (const issue of issues) showError(issue.path, issue.message);
    savedNotice.textContent = issues.length === 0 ? 'Saved.' : '';
  }

  const team = createTeamPanel(store, teamActions);
  const connection = createConnectionPanel(store, connectionActions, now);
  const contacts = createContactsPanel(store, contactsActions);
  const element = h(
    'section',
    { class: 'view settings-view', 'aria-label': 'Settings' },
    team.element,
    connection.element,
    contacts.element,
    h('h2', {}, 'Settings'),
    form,
  );

  return {
    element,
    update(): void {
      const { settings } = store.state;
      if (!settings) return;
      team.update();
      // In team mode the webhook, the tunnel and where to listen are the team server's business.
      const inTeam = settings.connectionMode === 'team';
      for (const key of ['tunnelMode', 'ownTunnelUrl', 'ngrokDomain', 'port', 'host', 'agents', 'teams'] as const)
        (rows.get(key) as HTMLElement).hidden = inTeam;
      connection.update();
      contacts.update();
      if (form.contains(document.activeElement)) return;
      for (const spec of fields) {
        const input = inputs.get(spec.key) as HTMLInputElement;
        const value = settings[spec.key];
        if (spec.kind === 'checkbox') (input as HTMLInputElement).checked = Boolean(value);
        else if (spec.kind === 'names') input.value = namesText(value as Record<string, string>);
        else input.value = Array.isArray(value) ? value.join(', ') : String(value);
      }
      if (!inTeam) showTunnelFields();
    },
    runCheck: connection.runCheck,
  };
}

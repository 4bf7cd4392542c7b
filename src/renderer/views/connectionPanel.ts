import type { Settings } from '../../core/settings/settingsSchema';
import type { ConnectionReport } from '../../core/tunnel/connectionDoctor';
import { tunnelCommands } from '../../core/receiver/webhookUrl';
import { fill, h } from '../dom';
import { localWebhookUrl } from '../logic/webhook';
import { relativeTime } from '../logic/format';
import type { Store } from '../store';

export interface ConnectionActions {
  copy(text: string): void;
  regenerateToken(): void;
  saveAuthtoken(authtoken: string): Promise<string>;
  clearAuthtoken(): Promise<string>;
  check(): Promise<ConnectionReport>;
}

const mark = { true: '✓', false: '✗', null: '–' } as const;
const hopNames = {
  receiver: 'Receiver',
  tunnel: 'Tunnel',
  'public-url': 'Public URL',
  token: 'Token',
  broker: 'Team broker',
  credentials: 'Join code',
  subscribed: 'Subscribed',
  'team-server': 'Team server',
} as const;

/** "Connect TeleCMI": the URL to give it, the tunnel, and a check of every hop of the path. */
export function createConnectionPanel(store: Store, actions: ConnectionActions, now: () => number) {
  const element = h('div', { class: 'connection' });
  const results = h('ul', { class: 'doctor', 'aria-live': 'polite', 'aria-label': 'Connection check' });
  const authtokenNotice = h('span', { class: 'saved', 'aria-live': 'polite' });
  const authtoken = h('input', { id: 'ngrok-authtoken', type: 'password', autocomplete: 'off', placeholder: 'Paste your ngrok authtoken' });

  async function runCheck(): Promise<void> {
    fill(results, h('li', {}, 'Checking…'));
    const report = await actions.check();
    fill(
      results,
      ...report.hops.map((hop) =>
        h(
          'li',
          { class: `hop ${hop.ok === true ? 'ok' : hop.ok === false ? 'failed' : 'skipped'}` },
          h('span', { class: 'mark', 'aria-hidden': 'true' }, mark[String(hop.ok) as keyof typeof mark]),
          h('strong', {}, `${hopNames[hop.hop]}: `),
          hop.detail,
          hop.fix && h('div', { class: 'fix' }, hop.fix),
        ),
      ),
      h(
        'li',
        { class: 'last-event' },
        report.lastEventAt ? `Last event received ${relativeTime(report.lastEventAt, now())}.` : 'No event received since the app started.',
      ),
    );
  }

  function ngrokControls(saved: boolean, encrypted: boolean): HTMLElement {
    return h(
      'div',
      { class: 'ngrok' },
      h(
        'label',
        { for: 'ngrok-authtoken' },
        saved ? `ngrok authtoken: saved (${encrypted ? 'encrypted' : 'not encrypted: this desktop has no keyring'})` : 'ngrok authtoken',
      ),
      h(
        'div',
        { class: 'copy-row' },
        authtoken,
        h(
          'button',
          {
            type: 'button',
            onClick: () => {
              const value = authtoken.value.trim();
              authtoken.value = '';
              void actions.saveAuthtoken(value).then((message) => (authtokenNotice.textContent = message));
            },
          },
          saved ? 'Replace' : 'Save',
        ),
        saved &&
          h(
            'button',
            { type: 'button', onClick: () => void actions.clearAuthtoken().then((message) => (authtokenNotice.textContent = message)) },
            'Remove',
          ),
      ),
      authtokenNotice,
    );
  }

  function guide(settings: Settings, publicUrl: string | undefined): HTMLElement {
    const commands = tunnelCommands(settings.port);
    const steps =
      settings.tunnelMode === 'ngrok'
        ? [
            h(
              'li',
              {},
              'Save your ngrok authtoken (dashboard.ngrok.com → Your Authtoken) below; the app opens the tunnel and keeps it open.',
            ),
            h('li', {}, 'Give TeleCMI the public webhook URL above: your number → Settings → Webhooks → Add, type "notify", method POST.'),
            h('li', {}, 'Without a reserved domain the URL changes when the app restarts: you will be told, and must update TeleCMI.'),
          ]
        : [
            h('li', {}, 'Open a tunnel to this port: ', h('code', {}, commands.ngrok), ' or ', h('code', {}, commands.cloudflared)),
            h('li', {}, 'In the TeleCMI dashboard: your number → Settings → Webhooks → Add, type "notify", method POST.'),
            h(
              'li',
              {},
              'URL: the tunnel’s https address followed by ',
              h('code', {}, '/telecmi/<token>'),
              ' (copy the URL above for the token).',
            ),
            h(
              'li',
              {},
              publicUrl
                ? 'Check the connection below.'
                : 'Paste the tunnel’s https address under Settings → Your tunnel’s public URL, then check the connection.',
            ),
          ];
    return h('ol', { class: 'guide' }, ...steps);
  }

  return {
    element,
    runCheck,
    update(): void {
      const { settings, status } = store.state;
      // Redrawing would take the caret out of the authtoken field while it is typed in.
      if (!settings || element.contains(document.activeElement)) return;
      const checkButton = h(
        'div',
        { class: 'actions' },
        h('button', { type: 'button', class: 'primary', onClick: () => void runCheck() }, 'Check connection'),
      );
      // In team mode the webhook and the tunnel are the team server's: only the check stays.
      if (settings.connectionMode === 'team') return fill(element, h('h2', {}, 'Check the team connection'), checkButton, results);
      const localUrl = localWebhookUrl(settings, status);
      const publicUrl = status?.publicWebhookUrl;
      const shown = publicUrl ?? localUrl;
      fill(
        element,
        h('h2', {}, 'Connect TeleCMI'),
        h('label', { for: 'webhook-url' }, publicUrl ? 'Webhook URL for TeleCMI' : 'Webhook URL (local: put a tunnel in front of it)'),
        h(
          'div',
          { class: 'copy-row' },
          h('input', { id: 'webhook-url', readonly: true, value: shown }),
          h('button', { type: 'button', onClick: () => actions.copy(shown) }, 'Copy'),
        ),
        h(
          'div',
          { class: 'copy-row' },
          h('span', { class: 'token-note' }, 'The token in the URL is its password.'),
          h(
            'button',
            {
              type: 'button',
              onClick: () => confirm('Make a new token? TeleCMI must then be given the new URL.') && actions.regenerateToken(),
            },
            'New token',
          ),
        ),
        guide(settings, publicUrl),
        settings.tunnelMode === 'ngrok' && ngrokControls(status?.ngrokAuthtokenSaved ?? false, status?.secretsEncrypted ?? false),
        checkButton,
        results,
      );
    },
  };
}

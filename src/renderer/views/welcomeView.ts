import { tunnelCommands } from '../../core/receiver/webhookUrl';
import { fill, h } from '../dom';
import { localWebhookUrl } from '../logic/webhook';
import type { Store } from '../store';

export interface WelcomeActions {
  copy(text: string): void;
  sendTestCall(): void;
  done(): void;
  /** The other path: a call centre's team server, joined in Settings. */
  joinTeam(): void;
}

/** The first run: the webhook URL, what to do with it, and a test call before the first real one. */
export function createWelcomeView(store: Store, actions: WelcomeActions) {
  const body = h('div', { class: 'welcome-body' });
  const element = h('section', { class: 'view welcome-view', 'aria-label': 'Welcome' }, body);
  return {
    element,
    update(): void {
      const { settings, status } = store.state;
      if (!settings) return;
      const webhookUrl = localWebhookUrl(settings, status);
      const commands = tunnelCommands(settings.port);
      fill(
        body,
        h('h2', {}, 'Welcome to TeleCMI Notifier'),
        h('p', {}, 'It shows a notification the moment your TeleCMI softphone rings. Three steps to connect it:'),
        h(
          'ol',
          { class: 'guide' },
          h(
            'li',
            {},
            'Your private webhook URL (a token was made for you):',
            h(
              'div',
              { class: 'copy-row' },
              h('input', { readonly: true, value: webhookUrl, 'aria-label': 'Webhook URL' }),
              h('button', { type: 'button', onClick: () => actions.copy(webhookUrl) }, 'Copy'),
            ),
          ),
          h('li', {}, 'Expose it with a tunnel: ', h('code', {}, commands.ngrok), ' or ', h('code', {}, commands.cloudflared), '.'),
          h(
            'li',
            {},
            'In the TeleCMI dashboard: your number → Settings → Webhooks → Add, type "notify", method POST, ' +
              'URL: the tunnel’s https address with the same /telecmi/… path.',
          ),
        ),
        h('p', {}, 'See a notification now, before the first real call:'),
        h(
          'div',
          { class: 'actions' },
          h('button', { type: 'button', class: 'primary', onClick: () => actions.sendTestCall() }, 'Send test call'),
          h('button', { type: 'button', onClick: () => actions.done() }, 'Done'),
        ),
        h(
          'p',
          { class: 'team-path' },
          'In a call centre with a team server? Your supervisor sends you a join code instead: ',
          h('button', { type: 'button', onClick: () => actions.joinTeam() }, 'Join my team’s server'),
        ),
        h('p', { class: 'hint' }, 'All of this stays in Settings; the tray menu has every action.'),
      );
    },
  };
}

import { fill, h } from '../dom';
import type { Store } from '../store';

export interface TeamActions {
  join(joinCode: string): Promise<{ ok: boolean; message: string }>;
  leave(): Promise<string>;
}

/**
 * Settings → Connection: this computer receives the webhook (the default), or it joins the team's
 * server with the join code the supervisor sent. The code goes in once and never comes back.
 */
export function createTeamPanel(store: Store, actions: TeamActions) {
  const notice = h('p', { class: 'team-notice', 'aria-live': 'polite' });
  const code = h('textarea', { id: 'team-join-code', rows: 3, autocomplete: 'off', spellcheck: false, placeholder: 'tcmi1.…' });
  const body = h('div', {});
  const element = h(
    'section',
    { class: 'team', 'aria-labelledby': 'team-heading' },
    h('h2', { id: 'team-heading' }, 'Connection'),
    body,
    notice,
  );

  const joinButton = h('button', { type: 'button', class: 'primary', onClick: () => void join() }, 'Join my team’s server');

  async function join(): Promise<void> {
    if (!code.value.trim()) return void (notice.textContent = 'Paste the join code your supervisor sent.');
    notice.textContent = 'Joining…';
    joinButton.disabled = true;
    joinButton.setAttribute('aria-busy', 'true');
    try {
      const answer = await actions.join(code.value);
      notice.textContent = answer.message;
      if (answer.ok) code.value = '';
    } catch {
      notice.textContent = 'The app did not answer: try again.';
    } finally {
      joinButton.disabled = false;
      joinButton.removeAttribute('aria-busy');
    }
  }

  const joinForm = h(
    'div',
    { class: 'team-join' },
    h(
      'p',
      {},
      'This computer receives the webhook (with a tunnel, below). ' +
        'In a call centre, join your team’s server instead: paste the join code your supervisor sent.',
    ),
    h('label', { for: 'team-join-code' }, 'Join code'),
    code,
    h('div', { class: 'actions' }, joinButton),
  );
  const state = h('dd', { class: 'team-state', role: 'status' });
  /** What is drawn: redrawn only when it changes, so focus and a half-pasted code survive status pushes. */
  let drawn = '';

  function statusLine(): string {
    const team = store.state.status?.team;
    if (!team || team.state === 'connecting') return 'Connecting…';
    if (team.state === 'offline') return `Unreachable${team.reason ? `: ${team.reason}` : ''}`;
    return team.teamServer === 'offline' ? 'Connected; the team server is offline' : 'Connected; receiving calls';
  }

  return {
    element,
    update(): void {
      const identity = store.state.settings?.teamIdentity;
      const joined = store.state.settings?.connectionMode === 'team' && identity;
      const key = joined ? JSON.stringify(identity) : 'join';
      state.textContent = statusLine();
      if (key === drawn) return;
      drawn = key;
      if (!joined) return fill(body, joinForm);
      fill(
        body,
        h(
          'dl',
          { class: 'team-identity' },
          h('dt', {}, 'Joined as'),
          h('dd', {}, identity.agent),
          h('dt', {}, 'Teams'),
          h('dd', {}, identity.teams.join(', ') || '—'),
          h('dt', {}, 'Team broker'),
          h('dd', {}, identity.brokerHost),
          h('dt', {}, 'State'),
          state,
        ),
        h('p', { class: 'hint' }, 'The join code is kept encrypted on this computer and never shown again.'),
        h(
          'div',
          { class: 'actions' },
          h(
            'button',
            { type: 'button', onClick: () => void actions.leave().then((message) => (notice.textContent = message)) },
            'Leave team',
          ),
        ),
      );
    },
  };
}

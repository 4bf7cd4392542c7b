import { z } from 'zod';
import { webhookUrlFor } from '../receiver/webhookUrl';
import type { ReceiverStatus } from '../receiver/receiverStatus';
import type { TunnelStatus } from './tunnelStatus';
import { errorMessage } from '../log/errorMessage';

export const hopVerdictSchema = z.object({
  hop: z.enum(['receiver', 'tunnel', 'public-url', 'token', 'broker', 'credentials', 'subscribed', 'team-server']),
  /** null: not checked (an earlier hop failed, or nothing to check). */
  ok: z.boolean().nullable(),
  detail: z.string(),
  /** What to do when it failed. */
  fix: z.string().optional(),
});
export type HopVerdict = z.infer<typeof hopVerdictSchema>;

export const connectionReportSchema = z.object({
  hops: z.array(hopVerdictSchema),
  /** When the receiver last accepted an event (epoch ms), if ever. */
  lastEventAt: z.number().nullable(),
});
export type ConnectionReport = z.infer<typeof connectionReportSchema>;

export interface DoctorInput {
  receiver: ReceiverStatus;
  tunnel: TunnelStatus;
  /** With "I run my own tunnel": its public https URL, when the user gave it. */
  ownTunnelUrl: string;
  token: string;
  lastEventAt: number | null;
  timeoutMs?: number;
}

const notChecked = (hop: HopVerdict['hop']): HopVerdict => ({ hop, ok: null, detail: 'not checked: an earlier step failed' });

/**
 * Walks the path TeleCMI's requests take, hop by hop, with real requests: the local receiver,
 * the tunnel, the public URL, the token. Each failure says what to do.
 */
export async function checkConnection({
  receiver,
  tunnel,
  ownTunnelUrl,
  token,
  lastEventAt,
  timeoutMs = 8000,
}: DoctorInput): Promise<ConnectionReport> {
  const hops: HopVerdict[] = [];
  const get = (url: string) => fetch(url, { signal: AbortSignal.timeout(timeoutMs) });

  const local = await probe(() => get(`${receiver.origin ?? 'http://invalid.invalid'}/healthz`));
  if (receiver.state !== 'listening' || !local.ok) {
    hops.push({
      hop: 'receiver',
      ok: false,
      detail: `The receiver is not listening${receiver.error ? `: ${receiver.error}` : ''}.`,
      fix: 'Choose a free port in Settings and save.',
    });
    return { hops: [...hops, notChecked('tunnel'), notChecked('public-url'), notChecked('token')], lastEventAt };
  }
  hops.push({ hop: 'receiver', ok: true, detail: `Listening on ${receiver.origin}.` });

  const publicUrl = tunnel.state === 'online' ? tunnel.url : tunnel.state === 'off' ? ownTunnelUrl : '';
  if (tunnel.state === 'off') {
    hops.push(
      ownTunnelUrl
        ? { hop: 'tunnel', ok: null, detail: `You run your own tunnel; checking it through ${ownTunnelUrl}.` }
        : {
            hop: 'tunnel',
            ok: false,
            detail: 'You run your own tunnel, and the app does not know its public URL.',
            fix:
              `Start ngrok or cloudflared for port ${new URL(receiver.origin ?? 'http://x:0').port}, ` +
              'then paste its https URL in Settings (or switch to the built-in ngrok).',
          },
    );
  } else if (tunnel.state === 'online') {
    hops.push({ hop: 'tunnel', ok: true, detail: `ngrok tunnel online at ${tunnel.url}.` });
  } else {
    hops.push({
      hop: 'tunnel',
      ok: false,
      detail: tunnel.state === 'offline' ? `The ngrok tunnel is offline: ${tunnel.reason}.` : 'The ngrok tunnel is still connecting.',
      fix: 'Check the ngrok authtoken in Settings and this computer’s internet connection; the app retries by itself.',
    });
  }
  if (!publicUrl) return { hops: [...hops, notChecked('public-url'), notChecked('token')], lastEventAt };

  const health = await probe(() => get(`${publicUrl}/healthz`));
  if (!health.ok || !health.ours) {
    hops.push({
      hop: 'public-url',
      ok: false,
      detail: health.status ? `${publicUrl} answered ${health.status}, not this app.` : `${publicUrl} did not answer (${health.error}).`,
      fix: 'Make sure the tunnel is running and forwards to this app’s port.',
    });
    return { hops: [...hops, notChecked('token')], lastEventAt };
  }
  hops.push({ hop: 'public-url', ok: true, detail: `${publicUrl} reaches this app.` });

  // A request without fields: 400 proves the token was accepted, and records nothing.
  const webhook = await probe(() => get(webhookUrlFor(publicUrl, token)));
  hops.push(
    webhook.status === 400
      ? { hop: 'token', ok: true, detail: 'The webhook URL and its token are accepted.' }
      : {
          hop: 'token',
          ok: false,
          detail: webhook.status === 401 ? 'The token was refused.' : `The webhook URL answered ${webhook.status ?? webhook.error}.`,
          fix: 'Copy the webhook URL again and give it to TeleCMI.',
        },
  );
  return { hops, lastEventAt };
}

async function probe(request: () => Promise<Response>): Promise<{ ok: boolean; ours: boolean; status?: number; error?: string }> {
  try {
    const response = await request();
    const body = await response.text();
    return { ok: response.ok, ours: body.startsWith('{"ok":'), status: response.status };
  } catch (error) {
    const cause = error instanceof Error && error.cause instanceof Error ? error.cause.message : '';
    return { ok: false, ours: false, error: cause || errorMessage(error) };
  }
}

/** What the team subscriber knows of its connection (core/app/appStatus.ts `team`). */
export interface TeamConnectionState {
  state: 'connecting' | 'connected' | 'offline';
  teamServer: 'online' | 'offline' | 'unknown';
  reason?: string;
}

/**
 * Team mode's path: the broker reachable, the join code's credentials accepted, this agent's
 * topics subscribed, the team server online (its retained status). Each failure says what to do.
 */
export function checkTeamConnection(team: TeamConnectionState | null, lastEventAt: number | null): ConnectionReport {
  const refused = /not authori[sz]ed|bad user ?name or password/i.test(team?.reason ?? '');
  if (!team || team.state !== 'connected') {
    return {
      hops: [
        refused
          ? { hop: 'broker', ok: true, detail: 'The team broker answers.' }
          : {
              hop: 'broker',
              ok: false,
              detail: `The team broker cannot be reached${team?.reason ? `: ${team.reason}` : ''}.`,
              fix: 'Check the network (and VPN or firewall); if it persists, ask your supervisor whether the broker runs.',
            },
        refused
          ? {
              hop: 'credentials',
              ok: false,
              detail: 'The broker refused this join code.',
              fix: 'The code was revoked or replaced: ask your supervisor for a new one, then Leave team and join again.',
            }
          : notChecked('credentials'),
        notChecked('subscribed'),
        notChecked('team-server'),
      ],
      lastEventAt,
    };
  }
  const server: HopVerdict =
    team.teamServer === 'online'
      ? { hop: 'team-server', ok: true, detail: 'The team server is online.' }
      : team.teamServer === 'offline'
        ? {
            hop: 'team-server',
            ok: false,
            detail: 'The team server is offline: no calls are published.',
            fix: 'Tell your supervisor: the team server (telecmi-notifier serve) has stopped.',
          }
        : { hop: 'team-server', ok: null, detail: 'The team server has not said whether it runs (it may be an older version).' };
  return {
    hops: [
      { hop: 'broker', ok: true, detail: 'The team broker answers.' },
      { hop: 'credentials', ok: true, detail: 'The join code is accepted.' },
      { hop: 'subscribed', ok: true, detail: "Subscribed to this agent's calls and its teams'." },
      server,
    ],
    lastEventAt,
  };
}

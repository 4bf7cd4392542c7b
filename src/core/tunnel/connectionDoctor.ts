import { z } from 'zod';
import { webhookUrlFor } from '../receiver/webhookUrl';
import type { ReceiverStatus } from '../receiver/receiverStatus';
import type { TunnelStatus } from './tunnelStatus';

export const hopVerdictSchema = z.object({
  hop: z.enum(['receiver', 'tunnel', 'public-url', 'token']),
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
export async function checkConnection({ receiver, tunnel, ownTunnelUrl, token, lastEventAt, timeoutMs = 8000 }: DoctorInput): Promise<ConnectionReport> {
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
            fix: `Start ngrok or cloudflared for port ${new URL(receiver.origin ?? 'http://x:0').port}, then paste its https URL in Settings (or switch to the built-in ngrok).`,
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
    return { ok: false, ours: false, error: cause || (error instanceof Error ? error.message : String(error)) };
  }
}

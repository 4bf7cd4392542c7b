import { createCallHost, type HostSettings } from '../../src/core/host/callHost';
import { silentLogger } from '../../src/core/log/logger';
import { createHttpTransport, type ReceiverSettings } from '../../src/core/receiver/httpTransport';
import { memoryDatabase, recordingNotifier } from './fakes';

export const testToken = 'test-token-0123456789abcdefghij';

type ServiceSettings = ReceiverSettings & HostSettings;

/** The pipeline host fed by the HTTP receiver on an ephemeral loopback port, with a recording notifier. */
export async function startTestService(settings: Partial<ServiceSettings> = {}) {
  const notifier = recordingNotifier();
  const initial = { host: '127.0.0.1', port: 0, token: testToken, agents: [], teams: [], maxCalls: 1000, ...settings };
  const host = createCallHost({
    settings: initial,
    notifier,
    database: memoryDatabase(),
    log: silentLogger,
    // Tests count notifications one by one; bursts are tested in the pipeline's tests.
    burst: { limit: 1_000_000, windowMs: 1000 },
  });
  const receiver = createHttpTransport({ settings: initial, ingest: host.ingest, log: silentLogger });
  const service = {
    history: host.history,
    status: receiver.status,
    requestLog: receiver.requestLog,
    /** New settings, as the app applies them: the host's at once, the receiver's in turn. */
    apply(next: ServiceSettings) {
      host.apply(next);
      return receiver.apply(next);
    },
    async stop() {
      await receiver.stop();
      return host.stop();
    },
  };
  const { origin, webhookUrl } = await receiver.start();
  if (!origin || !webhookUrl) throw new Error(`receiver did not start: ${receiver.status().error}`);
  return { service, host, receiver, notifier, origin, webhookUrl };
}

export async function send(url: string, init: RequestInit = {}) {
  const response = await fetch(url, init);
  const text = await response.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = text;
  }
  return { status: response.status, body, headers: response.headers };
}

export const postJson = (url: string, payload: unknown) =>
  send(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(payload) });

export const postForm = (url: string, payload: Record<string, unknown>) =>
  send(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(Object.entries(payload).map(([key, value]): [string, string] => [key, String(value)])).toString(),
  });

export function getWithQuery(url: string, payload: Record<string, unknown>) {
  const target = new URL(url);
  for (const [key, value] of Object.entries(payload)) target.searchParams.set(key, String(value));
  return send(target.href);
}

import { createCallService, type ServiceSettings } from '../../src/core/callService';
import { silentLogger } from '../../src/core/log/logger';
import { memoryDatabase, recordingNotifier } from './fakes';

export const testToken = 'test-token-0123456789abcdefghij';

/** The whole service on an ephemeral loopback port, with a recording notifier. */
export async function startTestService(settings: Partial<ServiceSettings> = {}) {
  const notifier = recordingNotifier();
  const service = createCallService({
    settings: { host: '127.0.0.1', port: 0, token: testToken, agents: [], teams: [], maxCalls: 1000, ...settings },
    notifier,
    database: memoryDatabase(),
    log: silentLogger,
    // Tests count notifications one by one; bursts are tested in the pipeline's tests.
    burst: { limit: 1_000_000, windowMs: 1000 },
  });
  const { origin, webhookUrl } = await service.start();
  if (!origin || !webhookUrl) throw new Error(`receiver did not start: ${service.status().error}`);
  return { service, notifier, origin, webhookUrl };
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

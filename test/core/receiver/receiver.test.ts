import { request } from 'node:http';
import { connect } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { listen } from '../../../src/core/receiver/listen';
import { maskToken } from '../../../src/core/receiver/requestLog';
import { allEventNames, loadEvent } from '../../support/fixtures';
import { getWithQuery, postForm, postJson, send, startTestService, testToken } from '../../support/receiverServer';

type Started = Awaited<ReturnType<typeof startTestService>>;

describe('receiver', () => {
  let running: Started;
  beforeAll(async () => {
    running = await startTestService();
  });
  afterAll(() => running.service.stop());
  beforeEach(() => {
    running.service.history.clear();
    running.notifier.shown.length = 0;
  });

  const transports = {
    'POST JSON': (url: string, payload: Record<string, unknown>) => postJson(url, payload),
    'POST form': (url: string, payload: Record<string, unknown>) => postForm(url, payload),
    GET: (url: string, payload: Record<string, unknown>) => getWithQuery(url, payload),
  };

  describe.each(Object.entries(transports))('over %s', (_name, deliver) => {
    it.each(allEventNames())('accepts the reference payload %s', async (name) => {
      // Each transport gets fresh ids, so a payload is never a redelivery of another test's.
      const payload = { ...loadEvent(name), time: Date.now() + Math.floor(Math.random() * 1e6) };
      const answer = await deliver(running.webhookUrl, payload);
      expect(answer).toMatchObject({ status: 200, body: { ok: true } });
      expect(answer.body).not.toHaveProperty('duplicate');
    });

    it('notifies the agent leg ringing event', async () => {
      // A conversation of its own: the reference caller-leg events sent above would make it missed already.
      const payload = { ...loadEvent('leg-b-started'), cmiuuid: `ring-${_name}`, conversation_uuid: `conversation-ring-${_name}` };
      await deliver(running.webhookUrl, payload);
      expect(running.notifier.shown).toMatchObject([{ type: 'ringing', call: { id: `ring-${_name}`, appId: 2222223 } }]);
    });
  });

  it('accepts the token as a query parameter', async () => {
    const answer = await postJson(`${running.origin}/telecmi?token=${testToken}`, loadEvent('leg-b-answered'));
    expect(answer).toMatchObject({ status: 200, body: { ok: true } });
  });

  it('answers duplicate for the same event delivered again', async () => {
    const payload = { ...loadEvent('leg-b-started'), cmiuuid: 'twice', conversation_uuid: 'conversation-twice' };
    await postJson(running.webhookUrl, payload);
    const again = await postJson(running.webhookUrl, payload);
    expect(again).toMatchObject({ status: 200, body: { ok: true, duplicate: true } });
    expect(running.notifier.shown).toHaveLength(1);
  });

  it('answers the health check without a token', async () => {
    expect(await send(`${running.origin}/healthz`)).toMatchObject({ status: 200, body: { ok: true } });
  });

  const bigBody = JSON.stringify({ ...loadEvent('leg-b-started'), padding: 'x'.repeat(70 * 1024) });

  it.each<[string, () => ReturnType<typeof send>, number, RegExp]>([
    ['no token', () => postJson(`${'ORIGIN'}/telecmi`, loadEvent('leg-b-started')), 401, /missing token/],
    ['a wrong token', () => postJson(`${'ORIGIN'}/telecmi/wrong-token`, loadEvent('leg-b-started')), 401, /invalid token/],
    ['a wrong query token', () => send(`${'ORIGIN'}/telecmi?token=nope`), 401, /invalid token/],
    ['two query tokens', () => send(`${'ORIGIN'}/telecmi?token=${testToken}&token=${testToken}`), 401, /invalid token/],
    ['PUT', () => send('WEBHOOK', { method: 'PUT' }), 405, /method PUT not allowed/],
    ['DELETE without a token', () => send(`${'ORIGIN'}/telecmi`, { method: 'DELETE' }), 405, /method DELETE/],
    [
      'malformed JSON',
      () => send('WEBHOOK', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"leg": ' }),
      400,
      /not valid JSON/,
    ],
    [
      'a JSON string',
      () => send('WEBHOOK', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '"hi"' }),
      400,
      /not valid JSON/,
    ],
    ['a JSON array', () => postJson('WEBHOOK', [loadEvent('leg-b-started')]), 400, /must be an object/],
    [
      'plain text',
      () => send('WEBHOOK', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'ring' }),
      415,
      /unsupported Content-Type "text\/plain"/,
    ],
    ['a body without a type', () => send('WEBHOOK', { method: 'POST', body: new Uint8Array([123, 125]) }), 415, /missing Content-Type/],
    ['an empty POST', () => send('WEBHOOK', { method: 'POST' }), 400, /empty request body/],
    [
      'a body over 64 KiB',
      () => send('WEBHOOK', { method: 'POST', headers: { 'content-type': 'application/json' }, body: bigBody }),
      413,
      /too large \(limit 65536 bytes\)/,
    ],
    ['a GET without fields', () => send('WEBHOOK'), 400, /"type" must be "event" or "cdr"/],
    [
      'an invalid leg B event',
      () => postJson('WEBHOOK', { ...loadEvent('leg-b-started'), time: 'soon' }),
      400,
      /invalid agent leg \(leg B\) event:\n✖ expected a number\n\s+→ at time/,
    ],
    [
      'an unsupported charset',
      () => send('WEBHOOK', { method: 'POST', headers: { 'content-type': 'application/json; charset=latin-9' }, body: '{}' }),
      415,
      /unsupported charset/,
    ],
    [
      'JSON declared UTF-16',
      () =>
        send('WEBHOOK', {
          method: 'POST',
          headers: { 'content-type': 'application/json; charset=utf-16' },
          body: JSON.stringify(loadEvent('leg-b-started')),
        }),
      415,
      /unsupported charset "utf-16": send UTF-8/,
    ],
    [
      'an event nested 8,000 deep',
      () =>
        send('WEBHOOK', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(loadEvent('leg-b-started')).replace(/}$/, `,"extra":${'['.repeat(8000)}${']'.repeat(8000)}}`),
        }),
      400,
      /nests deeper than 32 levels/,
    ],
    [
      'a "type" nested 20,000 deep',
      () =>
        send('WEBHOOK', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: `{"type":${'['.repeat(20_000)}${']'.repeat(20_000)}}`,
        }),
      400,
      /nests deeper than 32 levels/,
    ],
    ['an unknown path', () => send(`${'ORIGIN'}/elsewhere`), 404, /no such endpoint: GET \/elsewhere/],
    ['a path below the token', () => send('WEBHOOK/more'), 404, /no such endpoint/],
    ['a token that does not decode', () => send(`${'ORIGIN'}/telecmi/%E0%A4%A`), 400, /malformed request URL/],
  ])('refuses %s with a JSON error', async (_label, make, status, message) => {
    const { origin, webhookUrl } = running;
    const realFetch = globalThis.fetch;
    const answer = await (async () => {
      globalThis.fetch = ((url: string, init?: RequestInit) =>
        realFetch(url.replace('ORIGIN', origin).replace('WEBHOOK', webhookUrl), init)) as typeof fetch;
      try {
        return await make();
      } finally {
        globalThis.fetch = realFetch;
      }
    })();
    expect(answer.status).toBe(status);
    expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
    expect(answer.body).toMatchObject({ ok: false, error: expect.stringMatching(message) });
  });

  it('says which methods it accepts when refusing one', async () => {
    const answer = await send(running.webhookUrl, { method: 'PATCH' });
    expect(answer.headers.get('allow')).toBe('GET, POST');
  });

  it('logs each request with the token masked, newest first', async () => {
    await send(`${running.origin}/telecmi/not-the-token`);
    await postJson(`${running.origin}/telecmi?token=${testToken}&x=1`, loadEvent('leg-b-hangup'));
    const [latest, previous] = running.service.requestLog.entries();
    expect(latest).toMatchObject({ method: 'POST', path: '/telecmi?token=***&x=1', status: 200, reason: expect.any(String) });
    expect(previous).toMatchObject({ method: 'GET', path: '/telecmi/***', status: 401, reason: 'invalid token' });
    expect(latest?.durationMs).toBeGreaterThanOrEqual(0);
    expect(JSON.stringify(running.service.requestLog.entries())).not.toContain(testToken);
  });

  it('keeps an event whose custom text nests thousands deep as text, and saves it and the next one', async () => {
    const deepCustom = `{"a":${'['.repeat(8000)}${']'.repeat(8000)}}`;
    expect((await postJson(running.webhookUrl, { ...loadEvent('leg-b-started'), cmiuuid: 'deep-custom', custom: deepCustom })).status).toBe(
      200,
    );
    expect(running.service.history.get('deep-custom')?.custom).toBe(deepCustom);
    expect((await postJson(running.webhookUrl, { ...loadEvent('leg-b-started'), cmiuuid: 'after-deep' })).status).toBe(200);
    expect(running.service.history.flush()).toBe(true);
    expect((await running.service.history.list()).map((call) => call.id)).toEqual(['after-deep', 'deep-custom']);
  });

  it('masks the token by its value in the log and in answers, however the request target is shaped', async () => {
    const { port } = new URL(running.origin);
    const targets = [
      `http://127.0.0.1:${port}/telecmi/${testToken}`,
      `//telecmi/${testToken}`,
      `/telecmi//${testToken}`,
      `/./telecmi/${testToken}`,
      `/telecmi?token%00=${testToken}`,
      `/telecmi/${encodeURIComponent(testToken).replace(/[a-z]/, (letter) => `%${letter.charCodeAt(0).toString(16)}`)}`,
    ];
    const answers: string[] = [];
    for (const target of targets)
      answers.push(await rawRequest(Number(port), `GET ${target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`));
    expect(answers.join('\n')).not.toContain(testToken);
    const logged = running.service.requestLog.entries().slice(0, targets.length);
    expect(logged).toHaveLength(targets.length);
    expect(JSON.stringify(logged)).not.toContain(testToken);
    expect(logged.map((entry) => entry.path).every((path) => path.includes('***'))).toBe(true);
  });

  it('keeps only the last 200 requests in its log', async () => {
    for (let index = 0; index < 210; index += 1) await send(`${running.origin}/healthz`);
    expect(running.service.requestLog.entries()).toHaveLength(200);
  });
});

/** Sends a request exactly as written (absolute-form targets, odd paths) and returns the whole answer. */
function rawRequest(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.end(text));
    let answer = '';
    socket.on('data', (chunk) => (answer += chunk.toString()));
    socket.on('end', () => resolve(answer));
    socket.on('error', reject);
  });
}

describe('listening', () => {
  it('answers 408 to a request whose body does not arrive in time', async () => {
    const server = await listen((req, res) => req.on('end', () => res.end('read')).resume(), {
      host: '127.0.0.1',
      port: 0,
      timeouts: { headersMs: 300, requestMs: 300 },
    });
    try {
      const status = await new Promise<string>((resolve) => {
        const req = request({ host: '127.0.0.1', port: server.port, method: 'POST', headers: { 'content-length': '100' } });
        req.on('response', (res) => resolve(String(res.statusCode)));
        req.on('error', (error) => resolve(error.message));
        req.write('{"leg":');
      });
      expect(status).toBe('408');
    } finally {
      await server.close();
    }
  });

  it('binds to loopback by default and reports a port in use with what to do', async () => {
    const first = await startTestService();
    try {
      const port = Number(new URL(first.origin).port);
      expect(first.origin).toBe(`http://127.0.0.1:${port}`);
      await expect(listen(() => undefined, { host: '127.0.0.1', port })).rejects.toThrow(
        `port ${port} is already in use on 127.0.0.1: quit the other program or choose another port`,
      );
    } finally {
      await first.service.stop();
    }
  });
});

describe('request log masking', () => {
  it.each([
    ['/telecmi/secret-value', '/telecmi/***'],
    ['/TELECMI/secret-value?x=1', '/TELECMI/***?x=1'],
    ['/telecmi?token=secret-value&x=1', '/telecmi?token=***&x=1'],
    ['/telecmi?%74oken=secret-value', '/telecmi?%74oken=***'],
    ['/telecmi?TOKEN=secret-value', '/telecmi?TOKEN=***'],
    ['/telecmi?%E0%A4%A=secret-value', '/telecmi?%E0%A4%A=secret-value'],
    ['/healthz', '/healthz'],
  ])('masks %s as %s', (url, masked) => {
    expect(maskToken(url)).toBe(masked);
  });
});

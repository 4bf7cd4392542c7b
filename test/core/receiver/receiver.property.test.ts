import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadEvent } from '../../support/fixtures';
import { send, startTestService } from '../../support/receiverServer';

type Started = Awaited<ReturnType<typeof startTestService>>;

/** Anything a client may send: the receiver answers 2xx or 4xx, never 5xx, and keeps running. */
describe('receiver under random input', () => {
  let running: Started;
  beforeAll(async () => {
    running = await startTestService();
  });
  afterAll(() => running.service.stop());

  const numRuns = 150;
  const contentTypes = fc.constantFrom(
    'application/json',
    'application/x-www-form-urlencoded',
    'application/json; charset=utf-16',
    'text/plain',
    'multipart/form-data; boundary=x',
    '',
  );
  const expectNo5xx = (status: number) => {
    expect(status).toBeGreaterThanOrEqual(200);
    expect(status).toBeLessThan(500);
  };

  it('never answers 5xx to a random body of any content type', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.json(),
          fc.string(),
          fc.jsonValue().map((value) => JSON.stringify(value)),
        ),
        contentTypes,
        async (body, type) => {
          const headers: Record<string, string> = type ? { 'content-type': type } : {};
          const { status } = await send(running.webhookUrl, { method: 'POST', headers, body });
          expectNo5xx(status);
        },
      ),
      { numRuns },
    );
  });

  it('never answers 5xx to a leg B event with random field values', async () => {
    const base = loadEvent('leg-b-started');
    const fieldValue = fc.oneof(fc.jsonValue(), fc.string(), fc.integer(), fc.constant(null));
    await fc.assert(
      fc.asyncProperty(fc.dictionary(fc.constantFrom(...Object.keys(base), 'cmiuid', 'extra'), fieldValue), async (changes) => {
        const { status } = await send(running.webhookUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ ...base, ...changes }),
        });
        expectNo5xx(status);
      }),
      { numRuns },
    );
  });

  it('never answers 5xx to a random query string or path', async () => {
    const queryText = fc.string({
      unit: fc.constantFrom('a', 'b', '=', '&', '%', '[', ']', '.', '0', '+', 'é', 'token', 'leg', 'type', '%E0', '%A4', '%zz'),
    });
    await fc.assert(
      fc.asyncProperty(
        queryText,
        queryText,
        fc.constantFrom('/telecmi', '/telecmi/', new URL(running.webhookUrl).pathname, '/healthz', '/'),
        async (query, segment, path) => {
          const { status } = await send(
            `${running.origin}${path}${path === '/telecmi/' ? encodeURI(segment).replaceAll('%25', '%') : ''}?${query}`,
          );
          expectNo5xx(status);
        },
      ),
      { numRuns },
    );
  });

  it('still serves a valid event after all of that', async () => {
    const { status } = await send(running.webhookUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...loadEvent('leg-b-started'), cmiuuid: 'after-the-storm' }),
    });
    expect(status).toBe(200);
  });
});

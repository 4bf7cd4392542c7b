import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { loadEvent } from '../../support/fixtures';
import { freePort } from '../../support/freePort';
import { postJson, startTestService, testToken } from '../../support/receiverServer';

describe('pipeline host and receiver', () => {
  let stop: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await stop?.();
    stop = undefined;
  });

  it('restarts the receiver on a new token and keeps the history', async () => {
    const running = await startTestService();
    stop = async () => void (await running.service.stop());
    await postJson(running.webhookUrl, loadEvent('leg-b-started'));
    const status = await running.service.apply({
      host: '127.0.0.1',
      port: 0,
      token: 'a-brand-new-token-abcdefghijkl',
      agents: [],
      teams: [],
      maxCalls: 1000,
    });
    expect(status).toMatchObject({ state: 'listening', webhookUrl: expect.stringMatching(/\/telecmi\/a-brand-new-token-abcdefghijkl$/) });
    const oldTokenUrl = `${status.origin}/telecmi/${testToken}`;
    expect((await postJson(oldTokenUrl, loadEvent('leg-b-answered'))).status).toBe(401);
    expect((await postJson(status.webhookUrl ?? '', loadEvent('leg-b-answered'))).status).toBe(200);
    expect(await running.service.history.list()).toMatchObject([{ state: 'answered' }]);
  });

  it('reports a port in use as an error status with what to do, then recovers on another port', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const busyPort = (blocker.address() as { port: number }).port;
    const running = await startTestService();
    stop = async () => {
      blocker.close();
      await running.service.stop();
    };
    const settings = { host: '127.0.0.1', token: testToken, agents: [], teams: [], maxCalls: 1000 };
    const failed = await running.service.apply({ ...settings, port: busyPort });
    expect(failed).toEqual({
      state: 'error',
      error: `port ${busyPort} is already in use on 127.0.0.1: quit the other program or choose another port`,
    });
    expect(running.service.status().state).toBe('error');
    const recovered = await running.service.apply({ ...settings, port: 0 });
    expect(recovered.state).toBe('listening');
  });

  it('applies a new agent filter without restarting', async () => {
    const running = await startTestService();
    stop = async () => void (await running.service.stop());
    const status = await running.service.apply({
      host: '127.0.0.1',
      port: 0,
      token: testToken,
      agents: ['999'],
      teams: [],
      maxCalls: 1000,
    });
    expect(status.webhookUrl).toBe(running.webhookUrl);
    await postJson(running.webhookUrl, loadEvent('leg-b-started'));
    expect(running.notifier.shown).toEqual([]);
  });
});

describe('pipeline host and receiver under quick changes', () => {
  it('ends two quick port changes listening on the last port', async () => {
    const running = await startTestService();
    try {
      const settings = { host: '127.0.0.1', token: testToken, agents: [], teams: [], maxCalls: 1000 };
      const [first, second] = await Promise.all([
        running.service.apply({ ...settings, port: await freePort() }),
        running.service.apply({ ...settings, port: 0, token: 'another-token-0123456789abcdefgh' }),
      ]);
      expect(first.state).toBe('listening');
      expect(second).toMatchObject({ state: 'listening', webhookUrl: expect.stringMatching(/another-token/) });
      expect(running.service.status()).toEqual(second);
      expect((await postJson(second.webhookUrl ?? '', loadEvent('leg-b-started'))).status).toBe(200);
    } finally {
      await running.service.stop();
    }
  });
});

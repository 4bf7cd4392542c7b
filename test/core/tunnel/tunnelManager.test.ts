import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createNgrokDriver } from '../../../src/core/tunnel/ngrokDriver';
import { createTunnelManager } from '../../../src/core/tunnel/tunnelManager';
import type { TunnelStatus } from '../../../src/core/tunnel/tunnelStatus';
import { recordingLogger } from '../../support/fakes';
import { loopbackTunnel } from '../../support/loopbackTunnel';

const authtoken = '2abcSECRETauthtoken_0123456789';

function setup(lastUrl = '') {
  const tunnel = loopbackTunnel();
  const statuses: TunnelStatus[] = [];
  const changes: Array<[string, string]> = [];
  const log = recordingLogger();
  const manager = createTunnelManager({
    driver: tunnel.driver,
    log,
    onStatus: (status) => statuses.push(status),
    onUrlChanged: (next, previous) => changes.push([next, previous]),
    lastUrl,
    backoff: { initialMs: 100, maxMs: 400 },
  });
  return { tunnel, statuses, changes, log, manager };
}

describe('tunnel manager', () => {
  let stop: (() => Promise<void>) | undefined;
  afterEach(async () => {
    vi.useRealTimers();
    await stop?.();
  });

  it('goes from connecting to online with the public URL', async () => {
    const { manager, statuses, tunnel } = setup();
    stop = manager.stop;
    await manager.start({ localPort: 9, authtoken });
    expect(statuses).toEqual([
      { state: 'connecting', attempt: 1 },
      { state: 'online', url: tunnel.last()?.url },
    ]);
  });

  it('retries a refused session with growing waits, up to the cap', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const { manager, statuses, tunnel } = setup();
    stop = manager.stop;
    tunnel.failWith('network down', 'network down', 'network down', 'network down');
    await manager.start({ localPort: 9, authtoken });
    const retries = () =>
      statuses
        .filter((status) => status.state === 'offline')
        .map((status) => status.state === 'offline' && (status.retryAt ?? 0) - Date.now());
    expect(retries()).toEqual([100]);
    await vi.advanceTimersByTimeAsync(100);
    await vi.advanceTimersByTimeAsync(200);
    await vi.advanceTimersByTimeAsync(400);
    expect(statuses.filter((status) => status.state === 'offline').length).toBe(4);
    await vi.advanceTimersByTimeAsync(400);
    expect(statuses.at(-1)).toMatchObject({ state: 'online' });
    expect(
      statuses.filter((status) => status.state === 'connecting').map((status) => status.state === 'connecting' && status.attempt),
    ).toEqual([1, 2, 3, 4, 5]);
  });

  it('reports a dropped connection and its return', async () => {
    const { manager, statuses, tunnel } = setup();
    stop = manager.stop;
    await manager.start({ localPort: 9, authtoken });
    tunnel.last()?.events.onDisconnect('heartbeat timeout');
    expect(statuses.at(-1)).toEqual({ state: 'offline', reason: 'connection lost: heartbeat timeout; reconnecting' });
    tunnel.last()?.events.onReconnect();
    expect(statuses.at(-1)).toEqual({ state: 'online', url: tunnel.last()?.url });
  });

  it('announces a public URL that changed since the last session', async () => {
    const { manager, changes, tunnel } = setup('https://old-name.ngrok-free.app');
    stop = manager.stop;
    await manager.start({ localPort: 9, authtoken });
    expect(changes).toEqual([[tunnel.last()?.url, 'https://old-name.ngrok-free.app']]);
    await manager.start({ localPort: 9, authtoken });
    expect(changes).toHaveLength(2);
    expect(tunnel.opened[0]?.closed).toBe(true);
  });

  it('says nothing when the URL is the same as last time (a reserved domain)', async () => {
    const first = setup();
    await first.manager.start({ localPort: 9, authtoken });
    const url = first.tunnel.last()?.url ?? '';
    await first.manager.stop();
    const again = setup(url);
    const driver = { open: async () => ({ url, close: async () => undefined }) };
    const manager = createTunnelManager({
      driver,
      log: again.log,
      onStatus: () => undefined,
      onUrlChanged: (next, previous) => again.changes.push([next, previous]),
      lastUrl: url,
    });
    await manager.start({ localPort: 9, authtoken });
    expect(again.changes).toEqual([]);
  });

  it('never lets the authtoken into a log line or a status', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const { manager, statuses, log, tunnel } = setup();
    stop = manager.stop;
    tunnel.failWith(`authentication failed: token ${authtoken} is invalid`);
    await manager.start({ localPort: 9, authtoken });
    expect(statuses.at(-1)).toMatchObject({ state: 'offline', reason: 'authentication failed: token *** is invalid' });
    expect(JSON.stringify([statuses, log.lines])).not.toContain(authtoken);
  });

  it('stops retrying once stopped', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const { manager, statuses, tunnel } = setup();
    tunnel.failWith('down');
    await manager.start({ localPort: 9, authtoken });
    await manager.stop();
    await vi.advanceTimersByTimeAsync(1000);
    expect(statuses.at(-1)).toEqual({ state: 'off' });
    expect(tunnel.opened).toHaveLength(0);
  });
});

describe('the real ngrok driver', () => {
  beforeEach(() => void vi.useRealTimers());

  it('fails fast and cleanly when ngrok cannot be reached, and the manager reports it', async () => {
    const statuses: TunnelStatus[] = [];
    const log = recordingLogger();
    const manager = createTunnelManager({
      driver: createNgrokDriver({ serverAddr: '127.0.0.1:9', connectTimeoutMs: 5000 }),
      log,
      onStatus: (status) => statuses.push(status),
      onUrlChanged: () => undefined,
      backoff: { initialMs: 60_000, maxMs: 60_000 },
    });
    const started = Date.now();
    await manager.start({ localPort: 9, authtoken });
    expect(Date.now() - started).toBeLessThan(5000);
    expect(statuses.at(-1)).toMatchObject({ state: 'offline', reason: expect.stringMatching(/failed to connect session/) });
    expect(JSON.stringify([statuses, log.lines])).not.toContain(authtoken);
    await manager.stop();
  });
});

describe('tunnel manager under quick changes', () => {
  it('keeps only the latest of two overlapping starts open, and none after stop', async () => {
    const { manager, tunnel } = setup();
    await Promise.all([manager.start({ localPort: 1, authtoken }), manager.start({ localPort: 2, authtoken })]);
    const open = tunnel.opened.filter((entry) => !entry.closed);
    expect(open.map((entry) => entry.target.localPort)).toEqual([2]);
    await manager.stop();
    expect(tunnel.opened.filter((entry) => !entry.closed)).toEqual([]);
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import { checkConnection, checkTeamConnection } from '../../../src/core/tunnel/connectionDoctor';
import type { TunnelStatus } from '../../../src/core/tunnel/tunnelStatus';
import { loadEvent } from '../../support/fixtures';
import { freePort } from '../../support/freePort';
import { postJson, startTestService, testToken } from '../../support/receiverServer';
import { loopbackTunnel } from '../../support/loopbackTunnel';

type Running = Awaited<ReturnType<typeof startTestService>>;

describe('connection doctor', () => {
  let running: Running | undefined;
  let closeTunnel: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await closeTunnel?.();
    await running?.service.stop();
    running = closeTunnel = undefined;
  });

  async function throughTunnel() {
    running = await startTestService();
    const tunnel = loopbackTunnel();
    const opened = await tunnel.driver.open(
      { localPort: Number(new URL(running.origin).port), authtoken: 'x' },
      { onDisconnect: () => undefined, onReconnect: () => undefined },
    );
    closeTunnel = opened.close;
    const online: TunnelStatus = { state: 'online', url: opened.url };
    return { tunnel, online, receiver: running.service.status(), url: opened.url };
  }

  const verdicts = (report: Awaited<ReturnType<typeof checkConnection>>) => report.hops.map((hop) => `${hop.hop}:${hop.ok}`);

  it('passes every hop when the path is whole, and says when the last event came', async () => {
    const { online, receiver } = await throughTunnel();
    await postJson(running?.webhookUrl ?? '', loadEvent('leg-b-started'));
    const report = await checkConnection({
      receiver,
      tunnel: online,
      ownTunnelUrl: '',
      token: testToken,
      lastEventAt: running?.host.lastEventAt() ?? null,
    });
    expect(verdicts(report)).toEqual(['receiver:true', 'tunnel:true', 'public-url:true', 'token:true']);
    expect(report.lastEventAt).toBeGreaterThan(Date.now() - 10_000);
    expect(await running?.service.history.list()).toHaveLength(1);
  });

  it('fails the receiver hop when it is not listening, and checks nothing further', async () => {
    const report = await checkConnection({
      receiver: { state: 'error', error: 'port 8787 is already in use on 127.0.0.1' },
      tunnel: { state: 'off' },
      ownTunnelUrl: '',
      token: testToken,
      lastEventAt: null,
    });
    expect(verdicts(report)).toEqual(['receiver:false', 'tunnel:null', 'public-url:null', 'token:null']);
    expect(report.hops[0]).toMatchObject({
      detail: 'The receiver is not listening: port 8787 is already in use on 127.0.0.1.',
      fix: 'Choose a free port in Settings and save.',
    });
  });

  it('fails the tunnel hop with the reason while ngrok is offline', async () => {
    const { receiver } = await throughTunnel();
    const report = await checkConnection({
      receiver,
      tunnel: { state: 'offline', reason: 'authentication failed' },
      ownTunnelUrl: '',
      token: testToken,
      lastEventAt: null,
    });
    expect(verdicts(report)).toEqual(['receiver:true', 'tunnel:false', 'public-url:null', 'token:null']);
    expect(report.hops[1]?.detail).toBe('The ngrok tunnel is offline: authentication failed.');
  });

  it('asks for the public URL of a tunnel of your own', async () => {
    const { receiver } = await throughTunnel();
    const report = await checkConnection({ receiver, tunnel: { state: 'off' }, ownTunnelUrl: '', token: testToken, lastEventAt: null });
    expect(report.hops[1]).toMatchObject({
      ok: false,
      fix: expect.stringMatching(/^Start ngrok or cloudflared for port \d+, then paste its https URL in Settings/),
    });
  });

  it('checks a tunnel of your own through its public URL', async () => {
    const { receiver, url } = await throughTunnel();
    const report = await checkConnection({ receiver, tunnel: { state: 'off' }, ownTunnelUrl: url, token: testToken, lastEventAt: null });
    expect(verdicts(report)).toEqual(['receiver:true', 'tunnel:null', 'public-url:true', 'token:true']);
  });

  it('fails the public hop when the tunnel answers for something else', async () => {
    const { tunnel, online, receiver } = await throughTunnel();
    tunnel.answerWith(404);
    const report = await checkConnection({ receiver, tunnel: online, ownTunnelUrl: '', token: testToken, lastEventAt: null });
    expect(verdicts(report)).toEqual(['receiver:true', 'tunnel:true', 'public-url:false', 'token:null']);
    expect(report.hops[2]?.detail).toMatch(/answered 404, not this app/);
  });

  it('fails the public hop when nothing answers there', async () => {
    const { receiver } = await throughTunnel();
    const closedPort = await freePort();
    const report = await checkConnection({
      receiver,
      tunnel: { state: 'online', url: `http://127.0.0.1:${closedPort}` },
      ownTunnelUrl: '',
      token: testToken,
      lastEventAt: null,
    });
    expect(report.hops[2]).toMatchObject({ ok: false, detail: expect.stringMatching(/did not answer \(.*ECONNREFUSED/) });
  });

  it('fails the token hop when the token is not this app’s', async () => {
    const { online, receiver } = await throughTunnel();
    const report = await checkConnection({
      receiver,
      tunnel: online,
      ownTunnelUrl: '',
      token: 'an-old-token-0123456789abcdefghij',
      lastEventAt: null,
    });
    expect(report.hops[3]).toMatchObject({
      hop: 'token',
      ok: false,
      detail: 'The token was refused.',
      fix: 'Copy the webhook URL again and give it to TeleCMI.',
    });
  });
});

describe('team connection check', () => {
  it('says a revoked or replaced join code is the problem, with what to do', () => {
    const report = checkTeamConnection({ state: 'offline', teamServer: 'unknown', reason: 'Connection refused: Not authorized' }, null);
    expect(report.hops.map((hop) => [hop.hop, hop.ok])).toEqual([
      ['broker', true],
      ['credentials', false],
      ['subscribed', null],
      ['team-server', null],
    ]);
    expect(report.hops[1]?.fix).toMatch(/ask your supervisor for a new one/);
  });

  it('says an unreachable broker is the problem', () => {
    const report = checkTeamConnection({ state: 'offline', teamServer: 'unknown', reason: 'connect ECONNREFUSED 10.0.0.5:8083' }, null);
    expect(report.hops[0]).toMatchObject({
      hop: 'broker',
      ok: false,
      detail: expect.stringContaining('ECONNREFUSED'),
      fix: expect.stringMatching(/Check the network/),
    });
  });

  it('passes every hop when connected, and names a team server that is offline', () => {
    expect(checkTeamConnection({ state: 'connected', teamServer: 'online' }, 1_000).hops.every((hop) => hop.ok)).toBe(true);
    expect(checkTeamConnection({ state: 'connected', teamServer: 'offline' }, null).hops.at(-1)).toMatchObject({
      ok: false,
      fix: expect.stringMatching(/has stopped/),
    });
  });
});

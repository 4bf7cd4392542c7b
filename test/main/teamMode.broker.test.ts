import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { agentLegPayload, sampleCall } from '../../src/core/telecmi/sampleEvents';
import { bin, startCli, type Line } from '../support/cliProcess';
import { freePort } from '../support/freePort';
import { brokerTestsTitle, requireMosquitto, skipBrokerTests, startMosquitto, type RunningBroker } from '../support/mosquitto';
import { postJson } from '../support/receiverServer';
import { startApp } from './appHarness';
import { FakeNotification } from './fakeElectron';
import { teamParent } from '../support/teamFolder';
import { makeTestCa } from '../support/testCa';
import { decodeJoinCode, encodeJoinCode } from '../../src/core/team/joinCode';

const run = promisify(execFile);
const cli = async (...args: string[]): Promise<Line> => JSON.parse((await run(process.execPath, [bin, ...args])).stdout) as Line;

type App = Awaited<ReturnType<typeof startApp>>;

describe.skipIf(skipBrokerTests)(brokerTestsTitle('the app in team mode, with a real Mosquitto'), () => {
  let binary = '';
  let broker: RunningBroker | undefined;
  let server: ReturnType<typeof startCli> | undefined;
  let running: App | undefined;

  beforeAll(() => {
    binary = requireMosquitto();
  });

  afterEach(async () => {
    await running?.app.stop();
    await server?.stop('SIGKILL');
    await broker?.stop();
    running = server = broker = undefined;
  });

  /** A team server with two agents; the join code of the first. `tls`: on wss://localhost with a private CA. */
  async function teamServer(tls?: ReturnType<typeof makeTestCa>): Promise<{ joinCode: string; webhookUrl: string }> {
    const root = teamParent();
    const ports = [await freePort(), await freePort()];
    const secure = tls ? ['--public-host', 'localhost', '--tls-cert', tls.cert, '--tls-key', tls.key, '--tls-ca', tls.ca] : [];
    await cli('team', 'init', '--dir', join(root, 'team'), '--mqtt-port', String(ports[0]), '--ws-port', String(ports[1]), ...secure);
    const added = await cli('team', 'add-agent', '--dir', join(root, 'team'), '--agent', '204_2222223', '--team', 'Sales_2222223');
    await cli('team', 'add-agent', '--dir', join(root, 'team'), '--agent', '205_2222223');
    broker = await startMosquitto(binary, join(root, 'team', 'mosquitto.conf'), ports);
    server = startCli(['serve', '--port', '0', '--data-dir', join(root, 'server'), '--team-dir', join(root, 'team')]);
    const listening = await server.waitFor((line) => line.type === 'listening');
    return { joinCode: String(added.joinCode), webhookUrl: String(listening.webhookUrl) };
  }

  const connected = (app: App) => expect.poll(() => app.app.status().team, { timeout: 10_000 }).toMatchObject({ state: 'connected' });

  it("joins with a join code: stops its own receiver, notifies its agent's calls only, and leaves again", async () => {
    const { joinCode, webhookUrl } = await teamServer();
    running = await startApp();
    const { app, invoke, tray } = running;
    expect(app.receiver.status().state).toBe('listening');

    expect(await invoke('team:join', 'tcmi2.not-a-code')).toMatchObject({ ok: false, message: expect.stringMatching(/damaged/) });
    expect(await invoke('team:join', 'tcmi1.eyJ2IjoxfQ')).toMatchObject({ ok: false, message: expect.stringMatching(/earlier version/) });
    expect(await invoke('team:join', joinCode)).toEqual({
      ok: true,
      message: expect.stringMatching(/^Joining as 204_2222223 on 127\.0\.0\.1:\d+…$/),
    });
    await connected(running);
    // Once let in, the desktop knows its teams; the join code was traded for credentials of its own.
    expect(app.status().team).toMatchObject({ state: 'connected', teamServer: 'online' });
    expect((await invoke('settings:get')) as object).toMatchObject({ teamIdentity: { agent: '204_2222223', teams: ['Sales_2222223'] } });
    expect(app.receiver.status().state).toBe('stopped');
    expect(JSON.stringify(await invoke('settings:get'))).not.toContain(joinCode);
    expect(JSON.stringify(await invoke('status:get'))).not.toContain(joinCode);
    expect(tray.labels()).not.toContain('Copy webhook URL');
    expect(tray.tooltip).toContain('Receiving calls from the team server');

    const mine = sampleCall({ user: '204_2222223' });
    const theirs = sampleCall({ user: '205_2222223', team: 'Support_2222223' });
    for (const call of [theirs, mine]) expect((await postJson(webhookUrl, agentLegPayload(call, 'started', Date.now()))).status).toBe(200);
    await expect
      .poll(() => FakeNotification.instances.map((toast) => toast.options.title), { timeout: 10_000 })
      .toEqual([expect.stringMatching(/^Incoming call /)]);
    expect(app.host.history.get(mine.callId)?.state).toBe('ringing');
    expect(app.host.history.get(theirs.callId)).toBeUndefined();

    expect(await invoke('team:leave')).toMatchObject({ ok: true });
    await expect.poll(() => app.receiver.status().state, { timeout: 10_000 }).toBe('listening');
    expect(app.status().team).toBeNull();
  });

  it('stops the built-in tunnel in team mode, and says so when the broker cannot be reached', async () => {
    const { joinCode } = await teamServer();
    running = await startApp({ tunnelMode: 'ngrok' }, { authtoken: '2abcSECRETngrok_0123456789' });
    await expect.poll(() => running?.app.status().tunnel.state).toBe('online');
    await running.invoke('team:join', joinCode);
    await connected(running);
    expect(running.app.status().tunnel.state).toBe('off');
    await broker?.stop();
    await expect.poll(() => running?.app.status().team?.state, { timeout: 10_000 }).toBe('offline');
    expect(running.tray.image).toBe('/assets/tray/error.png');
    expect(running.tray.tooltip).toContain('Team server unreachable');
    const report = (await running.invoke('tunnel:check')) as { hops: Array<{ hop: string; ok: boolean | null }> };
    expect(report.hops[0]).toMatchObject({ hop: 'broker', ok: false });
  });

  it('reconnects at once when the computer wakes up', async () => {
    const { joinCode } = await teamServer();
    running = await startApp();
    await running.invoke('team:join', joinCode);
    await connected(running);
    const connections = () => (broker?.log().match(/New client connected .* as telecmi-desktop-/g) ?? []).length;
    const before = connections();
    running.fake.powerMonitor.emit('resume');
    await expect.poll(connections, { timeout: 10_000 }).toBe(before + 1);
  });

  it('joins a team server over TLS, trusting its private CA from the join code, and says plainly when a certificate cannot be trusted', async () => {
    const tls = makeTestCa('localhost');
    const { joinCode, webhookUrl } = await teamServer(tls);
    expect(decodeJoinCode(joinCode)).toMatchObject({
      ok: true,
      code: { url: expect.stringMatching(/^wss:\/\/localhost:/), ca: expect.stringContaining('BEGIN CERTIFICATE') },
    });
    running = await startApp();
    await running.invoke('team:join', joinCode);
    await connected(running);
    const mine = sampleCall({ user: '204_2222223' });
    await postJson(webhookUrl, agentLegPayload(mine, 'started', Date.now()));
    await expect.poll(() => running?.app.host.history.get(mine.callId)?.state, { timeout: 10_000 }).toBe('ringing');
    await running.app.stop();

    // The same server, but a join code whose CA did not sign its certificate.
    const other = makeTestCa('localhost', 'Another CA');
    const decoded = decodeJoinCode(joinCode);
    if (!decoded.ok) throw new Error(decoded.reason);
    const forged = encodeJoinCode({ ...decoded.code, ca: readFileSync(other.ca, 'utf8') });
    running = await startApp();
    await running.invoke('team:join', forged);
    await expect
      .poll(() => running?.app.status().team, { timeout: 10_000 })
      .toMatchObject({
        state: 'offline',
        reason: expect.stringMatching(/^cannot trust the team broker: the certificate of localhost:\d+ is not signed by a CA/),
      });
  });

  it('shows a local test notification in team mode, saying it is local', async () => {
    const { joinCode } = await teamServer();
    running = await startApp();
    await running.invoke('team:join', joinCode);
    expect(await running.invoke('app:send-test-call')).toMatchObject({
      ok: true,
      message: expect.stringMatching(/Local test notification/),
    });
    expect(FakeNotification.instances.at(-1)?.options.body).toContain('local test');
  });
});

import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it, vi } from 'vitest';
import { decodeJoinCode, encodeJoinCode } from '../../src/core/team/joinCode';
import { readTeam } from '../../src/core/team/server/teamFile';
import { agentLegPayload, sampleCall } from '../../src/core/telecmi/sampleEvents';
import { bin, startCli, type Line } from '../support/cliProcess';
import { freePort } from '../support/freePort';
import { brokerTestsTitle, mosquittoPath, skipBrokerTests, startMosquitto } from '../support/mosquitto';
import { postJson } from '../support/receiverServer';
import { teamBed, type Running } from '../support/teamBed';
import { teamParent } from '../support/teamFolder';
import { makeTestCa } from '../support/testCa';

const run = promisify(execFile);
const alice = { agent: '204_2222223', team: 'Sales_2222223' };

/** A CLI command expected to fail: its exit code and what it said. */
async function failing(...args: string[]): Promise<{ code: number; stderr: string }> {
  try {
    await run(process.execPath, [bin, ...args]);
  } catch (error) {
    const failed = error as { code: number; stderr: string };
    return { code: failed.code, stderr: failed.stderr };
  }
  throw new Error(`${args.join(' ')} succeeded`);
}

const healthOf = async (webhookUrl: string) => {
  const response = await fetch(new URL('/healthz', webhookUrl));
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
};

describe.skipIf(skipBrokerTests)(
  brokerTestsTitle('the team server on the internet: serve, team and listen against a real Mosquitto'),
  () => {
    const bed = teamBed();
    const ring = (call: ReturnType<typeof sampleCall>) => postJson(bed.webhookUrl(), agentLegPayload(call, 'started', Date.now()));
    const rang = (desk: Running, callId: string) =>
      desk.waitFor((line) => line.type === 'notification' && (line.calls as Array<{ id: string }>).some((call) => call.id === callId));

    /** A team with Alice's desktop connected through the running server. */
    async function aliceConnected(...init: string[]): Promise<{ serve: Running; desk: Running }> {
      await bed.setUp([alice], ...init);
      await bed.startBroker();
      const serve = await bed.serve();
      const desk = await bed.connected(bed.listen(alice.agent, 30));
      return { serve, desk };
    }

    it('answers an event whose ids cannot be topic levels with 422 and the reason, publishes nothing of it, and delivers the next call', async () => {
      const { desk } = await aliceConnected();
      const poisons = [
        { field: 'user', call: sampleCall({ user: '204_+/#' }) },
        { field: 'team', call: sampleCall({ user: alice.agent, team: 'Sales/#' }) },
      ];
      for (const { field, call } of poisons) {
        const answer = await ring(call);
        expect(answer.status).toBe(422);
        expect(String((answer.body as { error: string }).error)).toContain(`"${field}"`);
      }
      const badApp = await postJson(bed.webhookUrl(), {
        ...agentLegPayload(sampleCall({ user: alice.agent }), 'started', Date.now()),
        app_id: 1e21,
      });
      expect(badApp.status).toBe(422);
      const next = sampleCall({ user: alice.agent, team: alice.team });
      expect((await ring(next)).status).toBe(200);
      await rang(desk, next.callId);
      expect(desk.lines.filter((line) => line.type === 'notification')).toHaveLength(1);
    });

    it('sets aside a spooled event the broker would refuse (from an earlier version), and publishes the rest', async () => {
      const { serve, desk } = await aliceConnected();
      await serve.stop('SIGTERM');
      const kept = sampleCall({ user: alice.agent });
      const message = (call: ReturnType<typeof sampleCall>) => ({
        v: 1,
        id: call.callId,
        receivedAt: Date.now(),
        expirySec: 60,
        payload: agentLegPayload(call, 'started', Date.now()),
      });
      // An event without an app id goes to the "unknown" app's topics: spooled, it is published all the same.
      const withoutAppId = sampleCall({ user: alice.agent });
      const spool = join(bed.dir('server'), 'spool.jsonl');
      const poisoned = { topic: 'telecmi/2222223/agent/204+#', expirySec: 60, message: message(sampleCall({ user: '204+#' })) };
      const entries = [
        poisoned,
        { topic: 'telecmi/2222223/agent/204_2222223', expirySec: 60, message: message(kept) },
        { topic: 'telecmi/unknown/agent/204_2222223', expirySec: 60, message: message(withoutAppId) },
      ];
      writeFileSync(spool, entries.map((entry) => `${JSON.stringify(entry)}\n`).join(''));
      const again = await bed.serve();
      await rang(desk, kept.callId);
      await rang(desk, withoutAppId.callId);
      await again.waitFor((line) => line.type === 'broker' && line.state === 'connected' && line.spooled === 0);
      expect(readFileSync(`${spool}.refused`, 'utf8')).toContain('204+#');
    });

    it('says /healthz is 503, with the reason and the spool, while the broker is down, and 200 again once it is back', async () => {
      const { serve } = await aliceConnected();
      expect(await healthOf(bed.webhookUrl())).toMatchObject({ status: 200, body: { ok: true, broker: 'connected', spooled: 0 } });
      await bed.broker()?.stop();
      await serve.waitFor((line) => line.type === 'broker' && line.state === 'offline');
      await ring(sampleCall({ user: alice.agent }));
      // Kept for its agent's topic and its team's.
      expect(await healthOf(bed.webhookUrl())).toMatchObject({ status: 503, body: { ok: false, broker: 'offline', spooled: 2 } });
      const after = serve.lines.length;
      await bed.startBroker();
      await serve.waitFor((line) => line.type === 'broker' && line.state === 'connected' && line.spooled === 0, {
        after,
        timeoutMs: 15_000,
      });
      expect((await healthOf(bed.webhookUrl())).status).toBe(200);
    });

    it("gives an operator's Prometheus /metrics: events by kind and what became of them, delivery time, broker, spool, desktops online", async () => {
      const { serve } = await aliceConnected();
      const token = new URL(bed.webhookUrl()).pathname.split('/').at(-1) ?? '';
      const metrics = async () =>
        (await fetch(new URL('/metrics', bed.webhookUrl()), { headers: { authorization: `Bearer ${token}` } })).text();
      expect((await fetch(new URL('/metrics', bed.webhookUrl()))).status).toBe(401);
      const value = (text: string, series: string) =>
        Number(
          text
            .split('\n')
            .find((line) => line.startsWith(`${series} `))
            ?.split(' ')[1],
        );
      await vi.waitFor(async () => expect(value(await metrics(), 'telecmi_desktops_online')).toBe(1), { timeout: 5000 });
      const ringing = agentLegPayload(sampleCall({ user: alice.agent }), 'started', Date.now());
      // The second one a redelivery.
      expect((await postJson(bed.webhookUrl(), ringing)).status).toBe(200);
      expect((await postJson(bed.webhookUrl(), ringing)).status).toBe(200);
      expect((await ring(sampleCall({ user: '204_+/#' }))).status).toBe(422);
      const up = await metrics();
      expect(value(up, 'telecmi_events_received_total{kind="agent-leg"}')).toBe(3);
      expect(value(up, 'telecmi_events_published_total{kind="agent-leg"}')).toBe(1);
      expect(value(up, 'telecmi_events_not_published_total{kind="agent-leg",reason="duplicate"}')).toBe(1);
      expect(value(up, 'telecmi_events_refused_total{kind="agent-leg"}')).toBe(1);
      expect(value(up, 'telecmi_delivery_seconds_count{kind="agent-leg"}')).toBe(1);
      expect(value(up, 'telecmi_broker_connected')).toBe(1);
      expect(value(up, `telecmi_agent_desktops_online{agent="${alice.agent}"}`)).toBe(1);
      expect(up).toContain('telecmi_nodejs_eventloop_lag_p99_seconds');
      await bed.broker()?.stop();
      await serve.waitFor((line) => line.type === 'broker' && line.state === 'offline');
      await ring(sampleCall({ user: alice.agent }));
      const down = await metrics();
      expect(value(down, 'telecmi_events_spooled_total{kind="agent-leg"}')).toBe(1);
      expect(value(down, 'telecmi_spool_depth')).toBe(2);
      expect(value(down, 'telecmi_broker_connected')).toBe(0);
    });

    it('tells events for an agent who is not in the team once, and counts them in /healthz', async () => {
      const { serve } = await aliceConnected();
      for (let index = 0; index < 3; index += 1) await ring(sampleCall({ user: '999_2222223' }));
      expect((await healthOf(bed.webhookUrl())).body).toMatchObject({ notInTeam: { agents: 1, events: 3 } });
      await serve.stop('SIGTERM');
      expect(serve.stderr().match(/not in the team/g)).toHaveLength(1);
    });

    it('never takes another Mosquitto on its port for the team broker: serve stays offline (503) and team commands refuse', async () => {
      await bed.setUp([alice]);
      const [mqttPort] = bed.ports();
      const foreignConf = join(bed.dir('foreign.conf'));
      writeFileSync(foreignConf, `listener ${mqttPort} 127.0.0.1\nallow_anonymous true\n`);
      const foreign = await startMosquitto(mosquittoPath as string, foreignConf, [mqttPort as number]);
      try {
        const serve = await bed.serve();
        const offline = await serve.waitFor(
          (line) => line.type === 'broker' && line.state === 'offline' && typeof line.reason === 'string',
          {
            timeoutMs: 15_000,
          },
        );
        expect(offline.reason).toMatch(/not answer as this team’s broker/);
        expect(serve.lines.some((line) => line.type === 'broker' && line.state === 'connected')).toBe(false);
        expect((await healthOf(bed.webhookUrl())).status).toBe(503);
        const refused = await failing('team', 'add-agent', '--dir', bed.dir('team'), '--agent', '205_2222223');
        expect(refused.stderr).toMatch(/is not this team's .*another Mosquitto holding its port/);
        // Nothing the broker did not take is recorded as done.
        expect(readTeam(bed.dir('team')).agents.map((agent) => agent.agent)).toEqual([alice.agent]);
      } finally {
        await foreign.stop();
      }
    });

    it('joins over TLS with the private CA its join code carries, and tells a desktop plainly when the certificate cannot be trusted', async () => {
      const tls = makeTestCa('localhost');
      const { desk } = await aliceConnected('--public-host', 'localhost', '--tls-cert', tls.cert, '--tls-key', tls.key, '--tls-ca', tls.ca);
      expect(desk.lines.find((line) => line.type === 'connection')).toMatchObject({ broker: expect.stringMatching(/^localhost:/) });
      const call = sampleCall({ user: alice.agent });
      await ring(call);
      await rang(desk, call.callId);

      const invited = JSON.parse(
        (await run(process.execPath, [bin, 'team', 'invite', '--dir', bed.dir('team'), '--agent', alice.agent])).stdout,
      ) as Line;
      const decoded = decodeJoinCode(String(invited.joinCode));
      if (!decoded.ok) throw new Error(decoded.reason);
      const wrongCa = encodeJoinCode({ ...decoded.code, ca: readFileSync(makeTestCa('localhost', 'Another CA').ca, 'utf8') });
      const stranger = bed.track(
        startCli(['listen', '--join-code-env', 'JOIN', '--data-dir', bed.dir('stranger')], { ...process.env, JOIN: wrongCa }),
      );
      const refused = await stranger.waitFor(
        (line) => line.type === 'connection' && line.state === 'offline' && typeof line.reason === 'string',
      );
      expect(refused.reason).toMatch(
        /^cannot trust the team broker: the certificate of localhost:\d+ is not signed by a CA this desktop trusts/,
      );
    });

    it('refuses a join code on a second desktop, and stops a copied data folder instead of letting two desktops knock each other off', async () => {
      const { desk } = await aliceConnected();
      const second = bed.track(
        startCli(['listen', '--join-code-env', 'JOIN', '--data-dir', bed.dir('second')], {
          ...process.env,
          JOIN: bed.joinCode(alice.agent),
        }),
      );
      expect(await second.exited).toBe(1);
      expect(second.lines.at(-1)).toMatchObject({ state: 'offline', reason: expect.stringMatching(/used already/) });

      // A cloned computer: its copy of the data folder holds the same team identity.
      mkdirSync(bed.dir('copy'));
      cpSync(join(bed.dir(`desk-${alice.agent}`), 'team-device.json'), join(bed.dir('copy'), 'team-device.json'));
      const copy = bed.track(
        startCli(['listen', '--join-code-env', 'JOIN', '--data-dir', bed.dir('copy')], { ...process.env, JOIN: bed.joinCode(alice.agent) }),
      );
      expect(await copy.exited).toBe(1);
      expect(copy.lines.at(-1)).toMatchObject({
        reason: expect.stringMatching(/in use on another computer \(a copied data folder\?\): join the team again/),
      });
      const call = sampleCall({ user: alice.agent });
      await ring(call);
      await rang(desk, call.callId);
      // The copy's one connection took the original's session for a moment (the same client id): the original is back at once.
      expect(desk.lines.filter((line) => line.type === 'connection' && line.state === 'offline').length).toBeLessThanOrEqual(1);
      expect(desk.lines.filter((line) => line.type === 'connection').at(-1)).toMatchObject({ state: 'connected' });
    });
  },
);

describe('team commands: mistakes told before anything is written', () => {
  it('makes a join code for an operator-run broker only from a broker address, an agent and a password kept out of the process list', async () => {
    const code = ['team', 'code', '--broker-url', 'mqtt://broker.example.com:1883', '--agent', '204_2222223', '--username', 'u'];
    expect(await failing(...code, '--password-env', 'NOT_SET_ANYWHERE')).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('--password-env: the environment variable NOT_SET_ANYWHERE is not set'),
    });
    const withPassword = { env: { ...process.env, AGENT_PASSWORD: 'secret-value-0123' } };
    const broken = [
      'team',
      'code',
      '--broker-url',
      'http://broker.example.com',
      '--agent',
      '204_2222223',
      '--username',
      'u',
      '--password-env',
      'AGENT_PASSWORD',
    ];
    await expect(run(process.execPath, [bin, ...broken], withPassword)).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringContaining('--broker-url'),
    });
    const made = JSON.parse(
      (await run(process.execPath, [bin, ...code, '--password-env', 'AGENT_PASSWORD', '--team', 'Sales_2222223'], withPassword)).stdout,
    ) as {
      joinCode: string;
    };
    expect(made).toMatchObject({ warning: expect.stringContaining('without TLS') });
    const slashed = [...code.slice(0, -1), 'a/b', '--password-env', 'AGENT_PASSWORD'];
    await expect(run(process.execPath, [bin, ...slashed], withPassword)).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringContaining('--username'),
    });
    const decoded = decodeJoinCode(made.joinCode);
    expect(decoded).toMatchObject({
      ok: true,
      code: { v: 3, agent: '204_2222223', username: 'u', password: 'secret-value-0123', teams: ['Sales_2222223'] },
    });
  });

  it('refuses options that do not apply in team mode, and a short agent id without an app id', async () => {
    const dir = join(teamParent(), 'team');
    for (const flag of [
      ['--user', '204_2222223'],
      ['--team', 'Sales_2222223'],
      ['--max-calls', '10'],
    ]) {
      const refused = await failing('serve', '--team-dir', dir, ...flag);
      expect(refused).toMatchObject({ code: 2, stderr: expect.stringContaining(`${flag[0]} does not apply with a team broker`) });
    }
    const ports = [String(await freePort()), String(await freePort())];
    await run(process.execPath, [
      bin,
      'team',
      'init',
      '--dir',
      dir,
      '--mqtt-port',
      ports[0] as string,
      '--ws-port',
      ports[1] as string,
      '--dynsec-plugin',
      process.execPath,
    ]);
    const short = await failing('team', 'add-agent', '--dir', dir, '--agent', '204');
    expect(short).toMatchObject({ code: 2, stderr: expect.stringContaining('TeleCMI writes agent ids with the app id (204_2222223)') });
  });

  it('gives listen a data folder of its own per agent by default, apart from serve and from other agents', async () => {
    const home = teamParent('telecmi-home-');
    const code = encodeJoinCode({
      v: 2,
      url: `ws://127.0.0.1:${await freePort()}`,
      invite: '0123456789abcdef',
      secret: 's'.repeat(32),
      agent: '204_2222223',
      expiresAt: Date.now() + 60_000,
    });
    const desk = startCli(['listen', '--join-code-env', 'JOIN'], { ...process.env, HOME: home, JOIN: code });
    try {
      await desk.waitFor((line) => line.type === 'connection' && line.state === 'offline');
      expect(readdirSync(join(home, '.telecmi-notifier'))).toEqual(['listen-204_2222223']);
    } finally {
      await desk.stop();
    }
  });

  it('refuses team init options that cannot work, and an agent id that is no id, in one line each', async () => {
    const dir = join(teamParent(), 'team');
    const ports = ['--mqtt-port', String(await freePort()), '--ws-port', String(await freePort())];
    const tls = makeTestCa('calls.example.com');
    const refusals: Array<[string[], string]> = [
      [['--public-host', '::1'], '--public-host "::1": must be a host name or an IPv4 address'],
      [['--mqtt-port', '40000', '--ws-port', '40000'], '--mqtt-port and --ws-port must differ'],
      [
        ['--public-host', 'calls.example.com', '--tls-cert', tls.cert, '--tls-key', tls.key, '--insecure'],
        '--insecure is for a team without TLS',
      ],
    ];
    for (const [options, message] of refusals) {
      const refused = await failing('team', 'init', '--dir', dir, ...ports, ...options);
      expect(refused).toMatchObject({ code: 2, stderr: expect.stringContaining(message) });
      expect(existsSync(dir)).toBe(false);
    }
    await run(process.execPath, [bin, 'team', 'init', '--dir', dir, ...ports, '--dynsec-plugin', process.execPath]);
    const badId = await failing('team', 'add-agent', '--dir', dir, '--agent', '#_1');
    expect(badId.stderr.trim().split('\n')).toEqual([expect.stringContaining('--agent "#_1": must be 1 to 64 letters')]);
    for (const flags of [
      ['--team-dir', dir, '--mqtt-url', 'mqtt://x'],
      ['--mqtt-ca', tls.ca],
    ]) {
      expect((await failing('serve', ...flags)).code).toBe(2);
    }
  });

  it('takes a certificate signed through an intermediate CA, its chain in the certificate file', async () => {
    const tls = makeTestCa('calls.example.com', 'Test Root', { intermediate: true });
    const dir = join(teamParent(), 'team');
    const ports = ['--mqtt-port', String(await freePort()), '--ws-port', String(await freePort())];
    const options = ['--public-host', 'calls.example.com', '--tls-cert', tls.cert, '--tls-key', tls.key, '--tls-ca', tls.ca];
    await run(process.execPath, [bin, 'team', 'init', '--dir', dir, ...ports, ...options, '--dynsec-plugin', process.execPath]);
    expect(readTeam(dir).tls).toMatchObject({ ca: 'ca.crt' });
  });

  it('names a port that is taken, in one line, and makes no team', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as { port: number }).port;
    const dir = join(teamParent(), 'team');
    try {
      const refused = await failing('team', 'init', '--dir', dir, '--mqtt-port', String(port));
      expect(refused.code).toBe(1);
      expect(refused.stderr.trim().split('\n')).toEqual([
        expect.stringContaining(`port ${port} is already in use on 127.0.0.1: choose another with --mqtt-port`),
      ]);
    } finally {
      taken.close();
    }
  });
});

import { execFile } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import mqtt, { type MqttClient } from 'mqtt';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { silentLogger } from '../../../src/core/log/logger';
import { enrol, EnrolFailure, type DeviceCredentials } from '../../../src/core/team/desktop/enrol';
import { decodeJoinCode, type InviteCode } from '../../../src/core/team/joinCode';
import { addAgent, initTeam, inviteAgent, removeAgent, revokeDevice } from '../../../src/core/team/server/teamAdmin';
import { startTeamAdministration } from '../../../src/core/team/server/teamAdministration';
import { readTeam, teamPaths } from '../../../src/core/team/server/teamFile';
import { newSealingKeys } from '../../../src/core/team/sealedBox';
import { topics } from '../../../src/core/team/topics';
import { bin } from '../../support/cliProcess';
import { freePort } from '../../support/freePort';
import { brokerTestsTitle, requireMosquitto, skipBrokerTests, startMosquitto, type RunningBroker } from '../../support/mosquitto';
import { teamParent } from '../../support/teamFolder';

const run = promisify(execFile);
const settle = (ms = 400) => new Promise((resolve) => setTimeout(resolve, ms));
const about = { label: 'test desktop', version: '0.0.0' };

function codeOf(joinCode: string): InviteCode {
  const decoded = decodeJoinCode(joinCode);
  if (!decoded.ok) throw new Error(decoded.reason);
  if (decoded.code.v !== 2) throw new Error('not an invitation');
  return decoded.code;
}

/** A desktop's connection with its own credentials (raw, to see exactly what the broker allows), counting how often it was closed. */
async function connectAs(device: DeviceCredentials) {
  const client = await mqtt.connectAsync(device.url, {
    username: device.username,
    password: device.password,
    clientId: device.clientId,
    protocolVersion: 5,
    clean: false,
    reconnectPeriod: 0,
    properties: { sessionExpiryInterval: 86_400 },
  });
  const received: string[] = [];
  let closed = 0;
  client.on('message', (_topic, payload) => received.push(payload.toString()));
  client.on('close', () => (closed += 1));
  await client.subscribeAsync([topics.agent('+', device.agent), topics.team('+', '+')], { qos: 1 });
  return { client, received, closed: () => closed };
}

describe.skipIf(skipBrokerTests)(brokerTestsTitle('team broker: join codes, desktops and rights against a real Mosquitto'), () => {
  let binary = '';
  let dir = '';
  let broker: RunningBroker | undefined;
  let administration: ReturnType<typeof startTeamAdministration> | undefined;
  const clients: MqttClient[] = [];

  beforeAll(() => {
    binary = requireMosquitto();
  });

  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.endAsync(true)));
    await administration?.stop();
    administration = undefined;
    await broker?.stop();
    broker = undefined;
  });

  /** A team folder with these agents (their join codes), its broker running, and the team server's enrolment listening. */
  async function runningTeam(agents: Array<[agent: string, team: string]>, withServer = true): Promise<InviteCode[]> {
    dir = join(teamParent(), 'team');
    const ports = [await freePort(), await freePort()] as [number, number];
    initTeam(dir, { publicHost: '127.0.0.1', mqttPort: ports[0], wsPort: ports[1], insecure: false });
    const codes = [];
    for (const [agent, team] of agents) codes.push(codeOf((await addAgent(dir, silentLogger, { agent, teams: [team] })).result.joinCode));
    broker = await startMosquitto(binary, teamPaths(dir).conf, ports);
    if (withServer) await startServer();
    return codes;
  }

  /** The team server's enrolment, listening. */
  async function startServer(): Promise<void> {
    administration = startTeamAdministration({ dir, log: silentLogger, receiverId: 'test', forgetUsedAfterMs: 500 });
    await vi.waitFor(() => expect(administration?.listening()).toBe(true), { timeout: 5000 });
  }

  async function desktop(code: InviteCode) {
    const joined = await connectAs(await enrol(code, { ...about, timeoutMs: 5000 }));
    clients.push(joined.client);
    return joined;
  }

  async function receiver(): Promise<MqttClient> {
    const team = readTeam(dir);
    const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${team.mqttPort}`, {
      username: team.receiver.username,
      password: team.receiver.password,
      protocolVersion: 5,
      reconnectPeriod: 0,
    });
    clients.push(client);
    return client;
  }

  it('keeps its files readable by their user only', async () => {
    await runningTeam([['204_2222223', 'Sales_2222223']]);
    if (process.platform === 'win32') return;
    expect(statSync(dir).mode & 0o066).toBe(0);
    for (const file of [teamPaths(dir).team, teamPaths(dir).dynsec]) expect(statSync(file).mode & 0o077).toBe(0);
    // The broker's config holds no secret: its user reads it again on a reload.
    expect(readFileSync(teamPaths(dir).conf, 'utf8')).not.toContain(readTeam(dir).receiver.password);
  });

  it('lets one desktop in per join code: the same code on a second desktop is refused for good, and its broker user goes', async () => {
    const [alice] = (await runningTeam([['204_2222223', 'Sales_2222223']])) as [InviteCode];
    const first = await enrol(alice, { ...about, timeoutMs: 5000 });
    expect(first).toMatchObject({ agent: '204_2222223', teams: ['Sales_2222223'], username: expect.stringMatching(/^device-/) });
    const second = await enrol(alice, { ...about, timeoutMs: 5000 }).catch((error: unknown) => error);
    expect(second).toBeInstanceOf(EnrolFailure);
    expect(second).toMatchObject({ final: true, message: expect.stringMatching(/used already/) });
    await vi.waitFor(() => expect(readTeam(dir).invites).toEqual([]), { timeout: 5000 });
    expect(readTeam(dir).devices.map((device) => device.username)).toEqual([first.username]);
  });

  it('answers a desktop that asked while the team server was not running yet, once it starts', async () => {
    const [alice] = (await runningTeam([['204_2222223', 'Sales_2222223']], false)) as [InviteCode];
    const asking = enrol(alice, { ...about, timeoutMs: 10_000 });
    await settle(1000);
    await startServer();
    expect(await asking).toMatchObject({ agent: '204_2222223', username: expect.stringMatching(/^device-/) });
  });

  it('lets each desktop in once with two team servers running (both hear each request): never told its code was used by its own answer', async () => {
    const codes = await runningTeam(Array.from({ length: 6 }, (_, index) => [`20${index}_2222223`, 'Sales_2222223'] as [string, string]));
    const second = startTeamAdministration({ dir, log: silentLogger, receiverId: 'second', forgetUsedAfterMs: 500 });
    try {
      await vi.waitFor(() => expect(second.listening()).toBe(true), { timeout: 5000 });
      for (const code of codes) await expect(enrol(code, { ...about, timeoutMs: 5000 })).resolves.toMatchObject({ agent: code.agent });
      expect(readTeam(dir).devices).toHaveLength(codes.length);
      await expect(enrol(codes[0] as InviteCode, { ...about, timeoutMs: 5000 })).rejects.toThrow(/used already/);
    } finally {
      await second.stop();
    }
  });

  it('binds every user but the receiver to its own client id: a join code cannot take over the receiver', async () => {
    const [alice] = (await runningTeam([['204_2222223', 'Sales_2222223']])) as [InviteCode];
    const asInvite = { username: `invite-${alice.invite}`, password: alice.secret, protocolVersion: 5 as const, reconnectPeriod: 0 };
    for (const clientId of ['telecmi-receiver-test', 'telecmi-admin-test']) {
      await expect(mqtt.connectAsync(alice.url, { ...asInvite, clientId })).rejects.toThrow(/Not authorized/);
    }
    expect(administration?.listening()).toBe(true);
  });

  it('lets in only one of two desktops racing with one join code: the answer is sealed for the one that asked first', async () => {
    const [alice] = (await runningTeam([['204_2222223', 'Sales_2222223']])) as [InviteCode];
    const results = await Promise.allSettled([enrol(alice, { ...about, timeoutMs: 5000 }), enrol(alice, { ...about, timeoutMs: 5000 })]);
    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
    // The loser was knocked off (the same client id) or refused; trying again, it is refused for good.
    await expect(enrol(alice, { ...about, timeoutMs: 5000 })).rejects.toMatchObject({
      final: true,
      message: expect.stringMatching(/used already/),
    });
    expect(readTeam(dir).devices).toHaveLength(1);
  });

  it("answers a flood of requests from one join code once or twice, keeping the team's lock free for its commands", async () => {
    const [alice] = (await runningTeam([['204_2222223', 'Sales_2222223']])) as [InviteCode];
    const flooder = await mqtt.connectAsync(alice.url, {
      username: `invite-${alice.invite}`,
      password: alice.secret,
      clientId: `telecmi-enrol-${alice.invite}`,
      protocolVersion: 5,
      reconnectPeriod: 0,
    });
    clients.push(flooder);
    let answers = 0;
    flooder.on('message', () => (answers += 1));
    await flooder.subscribeAsync(topics.enrolResponse(alice.invite), { qos: 1 });
    const request = JSON.stringify({ v: 1, label: 'flood', version: '1', publicKey: newSealingKeys().publicKey });
    await Promise.all(Array.from({ length: 500 }, () => flooder.publishAsync(topics.enrolRequest(alice.invite), request, { qos: 1 })));
    const started = Date.now();
    await inviteAgent(dir, silentLogger, { agent: '204_2222223' });
    expect(Date.now() - started).toBeLessThan(3000);
    await settle(500);
    expect(answers).toBeGreaterThanOrEqual(1);
    expect(answers).toBeLessThanOrEqual(3);
    expect(readTeam(dir).devices).toHaveLength(1);
  });

  it('refuses a packet bigger than any call, presence or enrolment (256 KB), instead of keeping it', async () => {
    const [alice] = (await runningTeam([['204_2222223', 'Sales_2222223']])) as [InviteCode];
    const device = await enrol(alice, { ...about, timeoutMs: 5000 });
    const desk = await connectAs(device);
    clients.push(desk.client);
    // Refused by the broker, or not even sent (the broker told its limit): either way not kept.
    desk.client.publishAsync(topics.presence(device.username), 'x'.repeat(1_000_000), { qos: 1, retain: true }).catch(() => undefined);
    await settle(1500);
    const server = await receiver();
    const retained: Buffer[] = [];
    server.on('message', (_topic, payload) => retained.push(payload));
    await server.subscribeAsync(topics.allPresences, { qos: 1 });
    await settle();
    expect(retained.every((payload) => payload.length < 1000)).toBe(true);
  });

  it("delivers each agent its own calls and its teams', refuses a desktop another agent's calls or everything, and takes no call from a desktop", async () => {
    const [alice, bob] = (await runningTeam([
      ['204_2222223', 'Sales_2222223'],
      ['205_2222223', 'Support_2222223'],
    ])) as [InviteCode, InviteCode];
    const [aliceDesk, bobDesk] = [await desktop(alice), await desktop(bob)];
    // A hostile desktop asks for everything, or for a colleague's calls: refused.
    await expect(bobDesk.client.subscribeAsync('telecmi/#', { qos: 1 })).rejects.toThrow(/Not authorized/);
    await expect(bobDesk.client.subscribeAsync(topics.agent('+', '204_2222223'), { qos: 1 })).rejects.toThrow(/Not authorized/);
    await aliceDesk.client.publishAsync(topics.agent(2222223, '204_2222223'), 'forged by a desktop', { qos: 1 }).catch(() => undefined);
    const server = await receiver();
    await server.publishAsync(topics.agent(2222223, '204_2222223'), 'call for 204', { qos: 1 });
    await server.publishAsync(topics.team(2222223, 'Sales_2222223'), 'call for Sales', { qos: 1 });
    await server.publishAsync(topics.agent(2222223, '205_2222223'), 'call for 205', { qos: 1 });
    await settle();
    expect([...new Set(aliceDesk.received)].sort()).toEqual(['call for 204', 'call for Sales']);
    expect([...new Set(bobDesk.received)]).toEqual(['call for 205']);
  });

  it('adds and removes agents while the broker runs: the new one joins at once, the removed one is cut off in seconds, no one else is disconnected', async () => {
    const [alice, bob] = (await runningTeam([
      ['204_2222223', 'Sales_2222223'],
      ['205_2222223', 'Sales_2222223'],
    ])) as [InviteCode, InviteCode];
    const aliceDesk = await desktop(alice);
    const bobDevice = await enrol(bob, { ...about, timeoutMs: 5000 });
    const bobDesk = await connectAs(bobDevice);
    clients.push(bobDesk.client);
    const added = await addAgent(dir, silentLogger, { agent: '206_2222223', teams: ['Sales_2222223'] });
    expect(added.applied).toBe('broker');
    const carolDesk = await desktop(codeOf(added.result.joinCode));
    const removedAt = Date.now();
    expect((await removeAgent(dir, silentLogger, { agent: '205_2222223' })).applied).toBe('broker');
    await vi.waitFor(() => expect(bobDesk.closed()).toBe(1), { timeout: 3000 });
    expect(Date.now() - removedAt).toBeLessThan(3000);
    await (await receiver()).publishAsync(topics.team(2222223, 'Sales_2222223'), 'after the changes', { qos: 1 });
    await vi.waitFor(() => expect(carolDesk.received).toContain('after the changes'));
    expect(aliceDesk.received).toContain('after the changes');
    expect([aliceDesk.closed(), carolDesk.closed()]).toEqual([0, 0]);
    await expect(connectAs(bobDevice)).rejects.toThrow(/Not authorized/);
  });

  it('tells an operator each agent with their desktops: online or last seen, app version, and none for an agent not joined yet', async () => {
    const [alice] = (await runningTeam([
      ['204_2222223', 'Sales_2222223'],
      ['205_2222223', 'Sales_2222223'],
    ])) as [InviteCode];
    const credentials = await enrol(alice, { ...about, timeoutMs: 5000 });
    const laptop = await connectAs(credentials);
    clients.push(laptop.client);
    const presence = { v: 1, online: true, at: Date.now(), version: '9.9.9' };
    await laptop.client.publishAsync(topics.presence(credentials.username), JSON.stringify(presence), { qos: 1, retain: true });
    const status = async () =>
      JSON.parse((await run(process.execPath, [bin, 'team', 'status', '--dir', dir])).stdout) as Record<string, unknown>;
    expect(await status()).toMatchObject({
      type: 'status',
      broker: 'reachable',
      agents: [
        {
          agent: '204_2222223',
          teams: ['Sales_2222223'],
          online: 1,
          lastSeen: presence.at,
          desktops: [{ id: credentials.deviceId, online: true, lastSeen: presence.at, version: '9.9.9' }],
        },
        { agent: '205_2222223', online: 0, desktops: [] },
      ],
    });
    await broker?.stop();
    broker = undefined;
    expect(await status()).toMatchObject({ broker: 'unreachable', agents: [{ online: 0, desktops: [{ online: null }] }, { online: 0 }] });
  });

  it("revokes one desktop: it is cut off within seconds and refused after; the agent's other desktop goes on", async () => {
    const [alice] = (await runningTeam([['204_2222223', 'Sales_2222223']])) as [InviteCode];
    const laptop = await enrol(alice, { ...about, timeoutMs: 5000 });
    const laptopDesk = await connectAs(laptop);
    clients.push(laptopDesk.client);
    const deskDesk = await desktop(codeOf((await inviteAgent(dir, silentLogger, { agent: '204_2222223' })).result.joinCode));
    const revokedAt = Date.now();
    await revokeDevice(dir, silentLogger, { device: laptop.deviceId });
    await vi.waitFor(() => expect(laptopDesk.closed()).toBe(1), { timeout: 3000 });
    expect(Date.now() - revokedAt).toBeLessThan(3000);
    await expect(connectAs(laptop)).rejects.toThrow(/Not authorized/);
    await (await receiver()).publishAsync(topics.agent(2222223, '204_2222223'), 'still here', { qos: 1 });
    await vi.waitFor(() => expect(deskDesk.received).toContain('still here'));
    expect(deskDesk.closed()).toBe(0);
  });

  it('keeps eight agents when eight add-agent commands run at once against the running broker (a lock a dead command left behind), and each join code works', async () => {
    await runningTeam([]);
    // A lock left by a process that is gone: taken over by one of them only.
    writeFileSync(teamPaths(dir).lock, '999999');
    const agents = Array.from({ length: 8 }, (_, index) => `${300 + index}_2222223`);
    const lines = await Promise.all(
      agents.map(
        async (agent) =>
          JSON.parse((await run(process.execPath, [bin, 'team', 'add-agent', '--dir', dir, '--agent', agent])).stdout) as Record<
            string,
            unknown
          >,
      ),
    );
    expect(lines.map((line) => line.applied)).toEqual(agents.map(() => 'broker'));
    expect(
      readTeam(dir)
        .agents.map((entry) => entry.agent)
        .sort(),
    ).toEqual(agents);
    const devices = await Promise.all(lines.map((line) => enrol(codeOf(String(line.joinCode)), { ...about, timeoutMs: 10_000 })));
    expect(devices.map((device) => device.agent).sort()).toEqual(agents);
  });
});

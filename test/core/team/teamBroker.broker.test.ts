import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import mqtt, { type MqttClient } from 'mqtt';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { decodeJoinCode, type JoinCode } from '../../../src/core/team/joinCode';
import { topics } from '../../../src/core/team/topics';
import { freePort } from '../../support/freePort';
import { brokerTestsTitle, requireMosquitto, skipBrokerTests, startMosquitto, type RunningBroker } from '../../support/mosquitto';

const bin = fileURLToPath(new URL('../../../bin/telecmi-notifier.js', import.meta.url));
const run = promisify(execFile);

async function team(...args: string[]): Promise<Record<string, unknown>> {
  const { stdout } = await run(process.execPath, [bin, 'team', ...args]);
  return JSON.parse(stdout) as Record<string, unknown>;
}

/** A desktop of this agent, with the persistent session a desktop keeps. */
function joinAs(code: JoinCode, clientId = `desk-${code.agent}`): Promise<MqttClient> {
  return mqtt.connectAsync(code.url, {
    username: code.username,
    password: code.password,
    clientId,
    protocolVersion: 5,
    clean: false,
    reconnectPeriod: 0,
    properties: { sessionExpiryInterval: 86_400 },
  });
}

function receiverClient(dir: string): Promise<MqttClient> {
  const stored = JSON.parse(readFileSync(join(dir, 'team.json'), 'utf8')) as { mqttPort: number; receiverPassword: string };
  return mqtt.connectAsync(`mqtt://127.0.0.1:${stored.mqttPort}`, {
    username: 'telecmi-receiver',
    password: stored.receiverPassword,
    protocolVersion: 5,
    reconnectPeriod: 0,
  });
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 400));

describe.skipIf(skipBrokerTests)(brokerTestsTitle('team broker: provisioning against a real Mosquitto'), () => {
  let binary = '';
  let dir = '';
  let ports: number[] = [];
  let broker: RunningBroker | undefined;
  const clients: MqttClient[] = [];

  beforeAll(() => {
    binary = requireMosquitto();
  });

  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.endAsync(true)));
    await broker?.stop();
    broker = undefined;
  });

  async function freshTeam(): Promise<{ alice: JoinCode; bob: JoinCode }> {
    dir = join(mkdtempSync(join(tmpdir(), 'telecmi-team-')), 'team');
    ports = [await freePort(), await freePort()];
    const created = await team('init', '--dir', dir, '--mqtt-port', String(ports[0]), '--ws-port', String(ports[1]));
    expect(created).toMatchObject({ type: 'team', startBroker: `mosquitto -c ${join(dir, 'mosquitto.conf')}` });
    const codes = [];
    for (const [agent, teamName] of [
      ['204_2222223', 'Sales_2222223'],
      ['205_2222223', 'Support_2222223'],
    ] as const) {
      const added = await team('add-agent', '--dir', dir, '--agent', agent, '--team', teamName);
      expect(added).toMatchObject({ type: 'agent', agent, teams: [teamName], apply: expect.stringContaining('restart the broker') });
      const decoded = decodeJoinCode(String(added.joinCode));
      if (!decoded.ok) throw new Error(decoded.reason);
      codes.push(decoded.code);
    }
    broker = await startMosquitto(binary, join(dir, 'mosquitto.conf'), ports);
    const [alice, bob] = codes as [JoinCode, JoinCode];
    return { alice, bob };
  }

  it('keeps its files readable by their user only, and lists agents without secrets', async () => {
    const { alice } = await freshTeam();
    if (process.platform !== 'win32') {
      expect(statSync(dir).mode & 0o777).toBe(0o700);
      for (const file of ['team.json', 'passwd', 'acl', 'mosquitto.conf']) expect(statSync(join(dir, file)).mode & 0o777).toBe(0o600);
    }
    const listed = await team('list', '--dir', dir);
    expect(listed).toMatchObject({
      type: 'agents',
      agents: [
        { agent: '204_2222223', teams: ['Sales_2222223'] },
        { agent: '205_2222223', teams: ['Support_2222223'] },
      ],
    });
    expect(JSON.stringify(listed)).not.toContain(alice.password);
  });

  it("delivers each agent its own calls and its teams', and nothing of another agent, whatever it subscribes to", async () => {
    const { alice, bob } = await freshTeam();
    const received = new Map<string, string[]>();
    for (const code of [alice, bob]) {
      const desktop = await joinAs(code);
      clients.push(desktop);
      received.set(code.agent, []);
      desktop.on('message', (topic, payload) => received.get(code.agent)?.push(`${topic} ${payload.toString()}`));
      // A hostile desktop asks for everything; the broker grants the subscription and must deliver only what the ACL allows.
      await desktop.subscribeAsync(['telecmi/#', topics.agent('+', '204_2222223'), topics.agent('+', '205_2222223')], { qos: 1 });
    }
    const receiver = await receiverClient(dir);
    clients.push(receiver);
    await receiver.publishAsync(topics.agent(2222223, '204_2222223'), 'call for 204', { qos: 1 });
    await receiver.publishAsync(topics.team(2222223, 'Sales_2222223'), 'call for Sales', { qos: 1 });
    await receiver.publishAsync(topics.agent(2222223, '205_2222223'), 'call for 205', { qos: 1 });
    await settle();
    const texts = (agent: string) => [...new Set(received.get(agent))].map((line) => line.split(' ').slice(1).join(' ')).sort();
    expect(texts('204_2222223')).toEqual(['call for 204', 'call for Sales']);
    expect(texts('205_2222223')).toEqual(['call for 205']);
  });

  it('refuses a wrong password, a desktop publishing calls, and a removed agent after the restart it asks for', async () => {
    const { alice } = await freshTeam();
    await expect(joinAs({ ...alice, password: 'not-the-password-0123' })).rejects.toThrow(/Not authorized|Bad User Name or Password/);

    // An agent's desktop cannot inject calls for anyone (its ACL only reads).
    const desktop = await joinAs(alice);
    clients.push(desktop);
    const seen: string[] = [];
    desktop.on('message', (_topic, payload) => seen.push(payload.toString()));
    await desktop.subscribeAsync(topics.agent('+', alice.agent), { qos: 1 });
    await desktop.publishAsync(topics.agent(2222223, alice.agent), 'forged', { qos: 1 }).catch(() => undefined);
    await settle();
    expect(seen).toEqual([]);

    const removed = await team('remove-agent', '--dir', dir, '--agent', alice.agent);
    expect(removed).toMatchObject({ type: 'agent-removed', agent: alice.agent });
    await Promise.all(clients.splice(0).map((client) => client.endAsync(true)));
    await broker?.stop();
    broker = await startMosquitto(binary, join(dir, 'mosquitto.conf'), ports);
    await expect(joinAs(alice)).rejects.toThrow(/Not authorized|Bad User Name or Password/);
  });

  it('issues a new join code on a second add-agent, and the old one stops working', async () => {
    const { alice } = await freshTeam();
    const again = await team('add-agent', '--dir', dir, '--agent', alice.agent, '--team', 'Sales_2222223');
    const renewed = decodeJoinCode(String(again.joinCode));
    if (!renewed.ok) throw new Error(renewed.reason);
    await broker?.stop();
    broker = await startMosquitto(binary, join(dir, 'mosquitto.conf'), ports);
    await expect(joinAs(alice)).rejects.toThrow(/Not authorized|Bad User Name or Password/);
    const desktop = await joinAs(renewed.code);
    clients.push(desktop);
    expect(desktop.connected).toBe(true);
  });
});

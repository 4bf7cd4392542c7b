import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../../../src/core/log/logger';
import { decodeJoinCode, encodeJoinCode, type JoinCode } from '../../../../src/core/team/joinCode';
import { mosquittoConf } from '../../../../src/core/team/server/brokerFiles';
import { agentRole, desiredState, hashPassword } from '../../../../src/core/team/server/dynsec';
import { createEventRouter } from '../../../../src/core/team/server/eventRouter';
import { openSpool } from '../../../../src/core/team/server/spool';
import { addAgent, fullId, initTeam, type InitOptions } from '../../../../src/core/team/server/teamAdmin';
import { readTeam } from '../../../../src/core/team/server/teamFile';
import { startTeamPublisher } from '../../../../src/core/team/server/teamPublisher';
import { publishableNames, teamEventMessageSchema } from '../../../../src/core/team/teamMessages';
import { agentNameSchema, teamNameSchema } from '../../../../src/core/team/teamNames';
import { agentCall } from '../../../support/events';
import { freePort } from '../../../support/freePort';
import { teamParent } from '../../../support/teamFolder';

const code: JoinCode = {
  v: 2,
  url: 'wss://broker.example.com:8884',
  invite: '0123456789abcdef',
  secret: 's'.repeat(32),
  agent: '204_2222223',
  expiresAt: Date.UTC(2027, 0, 1),
};
const encoded = (fields: object, prefix = 'tcmi2.'): string =>
  `${prefix}${Buffer.from(JSON.stringify({ ...code, ...fields })).toString('base64url')}`;

describe('join code', () => {
  it('carries where the broker is, the private CA if any, and a single-use invitation; and reads back', () => {
    expect(decodeJoinCode(`  ${encodeJoinCode(code)}\n`)).toEqual({ ok: true, code });
    const withCa = { ...code, ca: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n' };
    expect(decodeJoinCode(encodeJoinCode(withCa))).toEqual({ ok: true, code: withCa });
  });

  it.each([
    ['text that is no join code', 'hello', /starts with "tcmi2\."/],
    ['a code of the earlier version (a shared password)', encoded({ v: 1 }, 'tcmi1.'), /earlier version/],
    ['a code cut short', encodeJoinCode(code).slice(0, 40), /damaged/],
    ['a code with a broker URL of another kind', encoded({ url: 'http://x' }), /url: must be a wss/],
    ['a code with credentials in the broker URL', encoded({ url: 'wss://204:secret@broker:8884' }), /url: must be a wss/],
  ])('refuses %s with what to do, never echoing it', (_label, text, reason) => {
    const decoded = decodeJoinCode(text);
    expect(decoded).toMatchObject({ ok: false, reason: expect.stringMatching(reason) });
    expect(JSON.stringify(decoded)).not.toContain(code.secret);
  });
});

/** A team folder made by `team init` on loopback (the plugin's path need only exist here). */
const newTeam = (options: Partial<InitOptions> = {}) => {
  const dir = join(teamParent(), 'team');
  return {
    dir,
    team: initTeam(dir, {
      publicHost: '127.0.0.1',
      mqttPort: 18830,
      wsPort: 8884,
      insecure: false,
      pluginPath: process.execPath,
      ...options,
    }),
  };
};

describe('team init', () => {
  it('refuses a folder that holds anything it did not make, and a folder that holds a team already, changing nothing', () => {
    const dir = teamParent();
    writeFileSync(join(dir, 'mosquitto.conf'), 'listener 1883\n');
    expect(() => initTeam(dir, { publicHost: '127.0.0.1', mqttPort: 1, wsPort: 2, insecure: false, pluginPath: process.execPath })).toThrow(
      /is not empty/,
    );
    expect(readFileSync(join(dir, 'mosquitto.conf'), 'utf8')).toBe('listener 1883\n');
    const { dir: made } = newTeam();
    const before = readFileSync(join(made, 'team.json'), 'utf8');
    expect(() =>
      initTeam(made, { publicHost: '127.0.0.1', mqttPort: 1, wsPort: 2, insecure: false, pluginPath: process.execPath }),
    ).toThrow(/already holds a team/);
    expect(readFileSync(join(made, 'team.json'), 'utf8')).toBe(before);
  });

  it('refuses plain ws:// on a host desktops reach over the network, unless asked with --insecure (and then says so)', () => {
    expect(() => newTeam({ publicHost: 'calls.example.com' })).toThrow(/--tls-cert and --tls-key/);
    expect(newTeam({ publicHost: 'calls.example.com', insecure: true }).team.insecure).toBe(true);
    expect(newTeam().team.insecure).toBe(false);
  });

  // Only root starts a broker that drops to another user (CI runs as root).
  it.runIf(process.getuid?.() === 0)(
    "refuses, as root, a folder the broker's own user could not reach, naming the folder in the way",
    () => {
      const parent = mkdtempSync(join(tmpdir(), 'telecmi-team-closed-'));
      expect(() =>
        initTeam(join(parent, 'team'), { publicHost: '127.0.0.1', mqttPort: 1, wsPort: 2, insecure: false, pluginPath: process.execPath }),
      ).toThrow(`cannot pass through ${parent}`);
    },
  );

  it('keeps team.json and the broker users readable by this user only', () => {
    const { dir } = newTeam();
    expect(statSync(join(dir, 'team.json')).mode & 0o077).toBe(0);
    expect(statSync(join(dir, 'broker', 'dynamic-security.json')).mode & 0o077).toBe(0);
  });
});

describe('broker files', () => {
  it('keeps a loopback WebSocket listener on loopback (Mosquitto 2.0.11 binds every interface otherwise) and names the certificates', () => {
    const { dir, team } = newTeam();
    const loopback = mosquittoConf(dir, team, '/plugin.so');
    expect(loopback).toMatch(new RegExp(`listener ${team.wsPort} 127\\.0\\.0\\.1\\nsocket_domain ipv4\\nprotocol websockets`));
    expect(loopback).toContain(`listener ${team.mqttPort} 127.0.0.1\nprotocol mqtt`);
    const secure = mosquittoConf(
      dir,
      { ...team, publicHost: 'calls.example.com', tls: { cert: 'server.crt', key: 'server.key' } },
      '/plugin.so',
    );
    expect(secure).toContain(`listener ${team.wsPort} 0.0.0.0\nprotocol websockets\ncertfile ${join(dir, 'broker', 'tls', 'server.crt')}`);
    expect(mosquittoConf(dir, { ...team, brokerUser: 'mosquitto' }, '/plugin.so')).toMatch(/^user mosquitto$/m);
  });

  it("lets an agent's desktops subscribe to any team but receive only their own agent's and teams' calls, and an invitation only ask to join", () => {
    const { acls } = agentRole('204_2222223', ['Sales_2222223']);
    const received = acls.filter((acl) => acl.acltype === 'publishClientReceive').map((acl) => acl.topic);
    expect(received).toEqual(['telecmi/+/agent/204_2222223', 'telecmi/+/team/Sales_2222223', 'telecmi/status/receiver/+']);
    expect(acls.some((acl) => acl.acltype === 'publishClientSend')).toBe(false);
    const { team } = newTeam();
    const invite = { id: 'abcdef0123456789', agent: '204_2222223', password: hashPassword('x'), expiresAt: 1, createdAt: 0 };
    const { roles } = desiredState({ ...team, invites: [invite] });
    expect(
      roles.find((role) => role.rolename === 'invite-abcdef0123456789')?.acls.filter((acl) => acl.acltype === 'publishClientSend'),
    ).toEqual([{ acltype: 'publishClientSend', topic: 'telecmi/enrol/abcdef0123456789/request', allow: true }]);
  });

  it.each(['#', 'Sales/+', 'a b', '', '../x', 'x'.repeat(65)])('refuses %j as an agent or team id', (name) => {
    expect(teamNameSchema.safeParse(name).success).toBe(false);
  });

  it('completes a short agent id with the app id, or refuses it when the team has none', () => {
    const { team } = newTeam();
    expect(() => fullId(team, '204', 'agent')).toThrow(/204_2222223/);
    expect(fullId({ ...team, appId: 2222223 }, '204', 'agent')).toBe('204_2222223');
    expect(fullId(team, '204_2222223', 'agent')).toBe('204_2222223');
  });
});

describe('team changes', () => {
  it('keeps every agent when eight are added at once (one lock, one writer at a time)', async () => {
    const { dir } = newTeam();
    const agents = Array.from({ length: 8 }, (_, index) => `${300 + index}_2222223`);
    await Promise.all(agents.map((agent) => addAgent(dir, silentLogger, { agent, teams: [] })));
    expect(
      readTeam(dir)
        .agents.map((entry) => entry.agent)
        .sort(),
    ).toEqual(agents);
    expect(readTeam(dir).invites).toHaveLength(8);
    expect(readdirSync(dir).filter((name) => name.includes('.tmp'))).toEqual([]);
  });
});

describe('team server pieces', () => {
  it("reserves the receiver's user name: no agent may take it", () => {
    expect(agentNameSchema.safeParse('telecmi-receiver').success).toBe(false);
    expect(agentNameSchema.safeParse('204_2222223').success).toBe(true);
  });

  it("never quotes a damaged team.json, which holds the receiver's password, and tells a team of the earlier version what to do", () => {
    const { dir, team } = newTeam();
    const file = join(dir, 'team.json');
    const password = team.receiver.password;
    writeFileSync(file, readFileSync(file, 'utf8').replace(`"${password}"`, password));
    expect(() => readTeam(dir)).toThrow(/team\.json is not valid JSON/);
    expect(() => readTeam(dir)).not.toThrow(password.slice(0, 6));
    writeFileSync(file, JSON.stringify({ v: 1, agents: [] }));
    expect(() => readTeam(dir)).toThrow(/earlier version.*invite the agents again/);
  });

  it('routes a call report to the team it names, even when no agent leg was seen', () => {
    const call = agentCall('report-first');
    const routes = createEventRouter().route(call.report());
    expect(routes.map((route) => route.topic)).toEqual(['telecmi/2222223/team/Sales_2222223']);
  });

  it('drains the spool in time linear in its length: the file is rewritten a few times, not once per batch', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'telecmi-spool-')), 'spool.jsonl');
    const spool = openSpool(file, silentLogger);
    const entry = (id: number) => ({
      topic: 't',
      expirySec: 60,
      message: { v: 1 as const, id: String(id), receivedAt: 1, expirySec: 60, payload: {} },
    });
    spool.append(Array.from({ length: 20_000 }, (_, index) => entry(index)));
    let rewrites = 0;
    let inode = statSync(file).ino;
    for (let batch = 0; batch < 100; batch += 1) {
      spool.drop(200);
      // An atomic rewrite is a new file in its place.
      const now = statSync(file, { throwIfNoEntry: false })?.ino;
      if (now !== inode) rewrites += 1;
      inode = now ?? inode;
    }
    expect(spool.size()).toBe(0);
    // Halving: 20,000 -> 10,000 -> 5,000 … compactions, each of what is left (before: a rewrite per 200 events).
    expect(rewrites).toBeLessThanOrEqual(8);
    expect(openSpool(file, silentLogger).size()).toBe(0);
  });

  it('keeps the spool whole after a crash cut its last line short', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'telecmi-spool-')), 'spool.jsonl');
    const entry = { topic: 't', expirySec: 60, message: { v: 1 as const, id: 'one', receivedAt: 1, expirySec: 60, payload: {} } };
    writeFileSync(file, `${JSON.stringify(entry)}\n{"topic":"t","expirySe`);
    expect(openSpool(file, silentLogger).append([{ ...entry, message: { ...entry.message, id: 'two' } }])).toBe(true);
    expect(
      openSpool(file, silentLogger)
        .peek(5)
        .map((each) => each.message.id),
    ).toEqual(['one', 'two']);
  });

  it("refuses (503) an event it cannot keep, and takes TeleCMI's retry for a new attempt, not a duplicate", async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'telecmi-spool-')), 'spool.jsonl');
    const publisher = startTeamPublisher({
      broker: { url: `mqtt://127.0.0.1:${await freePort()}`, username: 'telecmi-receiver', password: 'x'.repeat(16) },
      spool: openSpool(file, silentLogger, { maxEntries: 2 }),
      log: silentLogger,
      receiverId: 'test',
    });
    try {
      const [first, second] = [agentCall('kept').started, agentCall('refused').started];
      expect(await publisher.ingest(first)).toBe('spooled');
      await expect(publisher.ingest(second)).rejects.toThrow(/spool is full/);
      await expect(publisher.ingest(second)).rejects.toThrow(/spool is full/);
    } finally {
      await publisher.stop();
    }
  });
});

describe('caller names in team messages', () => {
  const message = { v: 1, id: 'e1', receivedAt: 1, expirySec: 60, payload: { leg: 'b' } };

  it('keeps what publishing sends within what every desktop accepts: 20 names of 200 characters at most', () => {
    const switchboard = Array.from({ length: 25 }, (_, index) => `Employee ${index}`);
    const names = publishableNames([...switchboard.slice(0, 1), 'x'.repeat(500), ...switchboard.slice(1)]);
    expect(names).toHaveLength(20);
    expect(names?.[1]).toHaveLength(200);
    expect(teamEventMessageSchema.parse({ ...message, callerNames: names }).callerNames).toEqual(names);
    expect(publishableNames([])).toBeUndefined();
    const emoji = publishableNames([`${'a'.repeat(198)}😀😀`])?.[0] ?? '';
    expect(emoji).toBe(`${'a'.repeat(198)}…`);
  });

  it('drops names that do not fit, never the call they came with', () => {
    const parsed = teamEventMessageSchema.safeParse({ ...message, callerNames: Array.from({ length: 25 }, () => 'A') });
    expect(parsed.success && parsed.data).toMatchObject({ id: 'e1', callerNames: undefined });
    expect(teamEventMessageSchema.safeParse({ ...message, callerNames: 'Asha' }).success).toBe(true);
  });
});

import { describe, expect, it } from 'vitest';
import { mosquittoAcl, mosquittoPasswordLine } from '../../../../src/core/team/server/brokerFiles';
import { decodeJoinCode, encodeJoinCode } from '../../../../src/core/team/joinCode';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEventRouter } from '../../../../src/core/team/server/eventRouter';
import { openSpool } from '../../../../src/core/team/server/spool';
import { initTeam, readTeam } from '../../../../src/core/team/server/teamDirectory';
import { agentNameSchema, teamNameSchema } from '../../../../src/core/team/teamNames';
import { startTeamPublisher } from '../../../../src/core/team/server/teamPublisher';
import { publishableNames, teamEventMessageSchema } from '../../../../src/core/team/teamMessages';
import { silentLogger } from '../../../../src/core/log/logger';
import { agentCall } from '../../../support/events';
import { freePort } from '../../../support/freePort';

const code = {
  v: 1 as const,
  url: 'wss://broker.example.com:8083',
  username: '204_2222223',
  password: 'p'.repeat(32),
  agent: '204_2222223',
  teams: ['Sales_2222223'],
};

describe('join code', () => {
  it('carries everything a desktop needs, and reads back', () => {
    expect(decodeJoinCode(`  ${encodeJoinCode(code)}\n`)).toEqual({ ok: true, code });
  });

  it.each([
    ['text that is no join code', 'hello', /starts with "tcmi1\."/],
    ['a code cut short', encodeJoinCode(code).slice(0, 40), /damaged/],
    [
      'a code with a broker URL of another kind',
      `tcmi1.${Buffer.from(JSON.stringify({ ...code, url: 'http://x' })).toString('base64url')}`,
      /url: must be a ws/,
    ],
    [
      'a code with credentials in the broker URL',
      `tcmi1.${Buffer.from(JSON.stringify({ ...code, url: 'ws://204:secret@broker:8083' })).toString('base64url')}`,
      /url: must be a ws/,
    ],
  ])('refuses %s with what to do, never echoing it', (_label, text, reason) => {
    const decoded = decodeJoinCode(text);
    expect(decoded).toMatchObject({ ok: false, reason: expect.stringMatching(reason) });
    expect(JSON.stringify(decoded)).not.toContain(code.password);
  });
});

describe('broker files', () => {
  it("writes Mosquitto 2's own password hash (the same as mosquitto_passwd for this salt)", () => {
    const line = mosquittoPasswordLine('alice', 'secret123', Buffer.from('XHMj1XutwaAnmY9q', 'base64'));
    expect(line).toBe(
      'alice:$7$101$XHMj1XutwaAnmY9q$ghgsxOoAYffEvfmAGFgJmdIfh3ZM9fLJ87XsXxPWUkH6jQUFlrm4mkpFGGTX3G06GNuNi/YovrGbaUp3MMPCww==',
    );
  });

  it('grants each agent only its own topic, its teams and the receiver status', () => {
    expect(mosquittoAcl([{ agent: '204_2222223', teams: ['Sales_2222223'] }]).split('\n')).toEqual(
      expect.arrayContaining([
        'user 204_2222223',
        'topic read telecmi/+/agent/204_2222223',
        'topic read telecmi/+/team/Sales_2222223',
        'topic read telecmi/status/receiver',
      ]),
    );
  });

  it.each(['#', 'Sales/+', 'a b', '', '../x', 'x'.repeat(65)])('refuses %j as an agent or team id', (name) => {
    expect(teamNameSchema.safeParse(name).success).toBe(false);
  });
});

describe('team server pieces', () => {
  it("reserves the receiver's user name: no agent may take it", () => {
    expect(agentNameSchema.safeParse('telecmi-receiver').success).toBe(false);
    expect(agentNameSchema.safeParse('204_2222223').success).toBe(true);
  });

  it("never quotes a damaged team.json, which holds the receiver's password", () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'telecmi-team-file-')), 'team');
    const team = initTeam({ dir, mqttPort: 1883, wsPort: 8083, publicHost: '127.0.0.1' });
    writeFileSync(
      join(dir, 'team.json'),
      readFileSync(join(dir, 'team.json'), 'utf8').replace(`"${team.receiverPassword}"`, team.receiverPassword),
    );
    expect(() => readTeam(dir)).toThrow(/team\.json is not valid JSON/);
    try {
      readTeam(dir);
    } catch (error) {
      expect(String(error)).not.toContain(team.receiverPassword.slice(0, 6));
    }
  });

  it('routes a call report to the team it names, even when no agent leg was seen', () => {
    const call = agentCall('report-first');
    const routes = createEventRouter().route(call.report());
    expect(routes.map((route) => route.topic)).toEqual(['telecmi/2222223/team/Sales_2222223']);
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

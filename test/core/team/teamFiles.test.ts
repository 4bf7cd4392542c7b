import { describe, expect, it } from 'vitest';
import { mosquittoAcl, mosquittoPasswordLine } from '../../../src/core/team/brokerFiles';
import { decodeJoinCode, encodeJoinCode } from '../../../src/core/team/joinCode';
import { teamNameSchema } from '../../../src/core/team/teamNames';

const code = { v: 1 as const, url: 'wss://broker.example.com:8083', username: '204_2222223', password: 'p'.repeat(32), agent: '204_2222223', teams: ['Sales_2222223'] };

describe('join code', () => {
  it('carries everything a desktop needs, and reads back', () => {
    expect(decodeJoinCode(`  ${encodeJoinCode(code)}\n`)).toEqual({ ok: true, code });
  });

  it.each([
    ['text that is no join code', 'hello', /starts with "tcmi1\."/],
    ['a code cut short', encodeJoinCode(code).slice(0, 40), /damaged/],
    ['a code with a broker URL of another kind', `tcmi1.${Buffer.from(JSON.stringify({ ...code, url: 'http://x' })).toString('base64url')}`, /url: must be a ws/],
  ])('refuses %s with what to do, never echoing it', (_label, text, reason) => {
    const decoded = decodeJoinCode(text);
    expect(decoded).toMatchObject({ ok: false, reason: expect.stringMatching(reason) });
    expect(JSON.stringify(decoded)).not.toContain(code.password);
  });
});

describe('broker files', () => {
  it("writes Mosquitto 2's own password hash (the same as mosquitto_passwd for this salt)", () => {
    const line = mosquittoPasswordLine('alice', 'secret123', Buffer.from('XHMj1XutwaAnmY9q', 'base64'));
    expect(line).toBe('alice:$7$101$XHMj1XutwaAnmY9q$ghgsxOoAYffEvfmAGFgJmdIfh3ZM9fLJ87XsXxPWUkH6jQUFlrm4mkpFGGTX3G06GNuNi/YovrGbaUp3MMPCww==');
  });

  it('grants each agent only its own topic, its teams and the receiver status', () => {
    expect(mosquittoAcl([{ agent: '204_2222223', teams: ['Sales_2222223'] }]).split('\n')).toEqual(
      expect.arrayContaining(['user 204_2222223', 'topic read telecmi/+/agent/204_2222223', 'topic read telecmi/+/team/Sales_2222223', 'topic read telecmi/status/receiver']),
    );
  });

  it.each(['#', 'Sales/+', 'a b', '', '../x', 'x'.repeat(65)])('refuses %j as an agent or team id', (name) => {
    expect(teamNameSchema.safeParse(name).success).toBe(false);
  });
});

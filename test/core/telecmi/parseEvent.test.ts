import { describe, expect, it } from 'vitest';
import { eventKey, parseTelecmiEvent } from '../../../src/core/telecmi/parseEvent';
import { allEventNames, loadEvent, type Payload } from '../../support/fixtures';

const receivedAt = 1_700_000_000_000;

function parse(payload: unknown) {
  return parseTelecmiEvent(payload, receivedAt);
}

function parseOk(payload: unknown) {
  const result = parse(payload);
  if (!result.ok) throw new Error(`expected a valid event, got: ${result.reason}`);
  return result.event;
}

/** What a GET query string or a form body turns the payload into: every value is text. */
function asText(payload: Payload): Payload {
  return Object.fromEntries(Object.entries(payload).map(([key, value]) => [key, String(value)]));
}

describe('parseTelecmiEvent', () => {
  it.each(allEventNames())('parses the reference payload %s, as JSON and as text fields', (name) => {
    const fromJson = parseOk(loadEvent(name));
    const fromText = parseOk(asText(loadEvent(name)));
    expect({ ...fromText, raw: undefined }).toEqual({ ...fromJson, raw: undefined });
  });

  it('normalises the agent leg ringing event', () => {
    const event = parseOk(loadEvent('leg-b-started'));
    expect(event).toMatchObject({
      kind: 'agent-leg',
      leg: 'b',
      status: 'started',
      callId: 'f4c65be7-4b4d-4d38-8aa9-4392fab50bd8',
      conversationId: '5202a928-07c3-4d32-a1a4-d304c9275971',
      from: { digits: '440000000000', display: expect.stringMatching(/^\+44/) },
      agent: '204_2222223',
      team: 'Sales_2222223',
      appId: 2222223,
      custom: { crm: 'true' },
      receivedAt,
    });
    expect(event.time).toEqual(new Date(1634724629956));
  });

  it('formats the caller number for display with a +', () => {
    const event = parseOk({ ...loadEvent('leg-b-started'), from: 919876543210 });
    expect(event.from).toEqual({ digits: '919876543210', display: '+91 98765 43210' });
  });

  it('reads the caller leg with the dialled number', () => {
    const event = parseOk(loadEvent('leg-a-waiting'));
    expect(event).toMatchObject({ kind: 'caller-leg', status: 'waiting', to: { digits: '918000000000' } });
  });

  it('reads a call report without a status as missed', () => {
    const event = parseOk(loadEvent('cdr-incoming-missed'));
    expect(event).toMatchObject({ kind: 'cdr', status: 'missed', appId: 2222223, waitedSec: 21, hangupReason: 'recv_cancel' });
  });

  it('reads a call report with talk time as answered', () => {
    expect(parseOk({ ...loadEvent('cdr-incoming-missed'), answeredsec: '35' }).status).toBe('answered');
  });

  it('reads an outgoing call event', () => {
    const event = parseOk({
      type: 'event',
      leg: 'a',
      call_id: 'c1',
      user: '204_2222223',
      cmiuuid: 'o1',
      direction: 'outbound',
      callerid: '918000000000',
      to: '919876543210',
      app_id: 2222223,
      time: 1634724629956,
      status: 'started',
    });
    expect(event).toMatchObject({ kind: 'outgoing', status: 'started', to: { digits: '919876543210' } });
  });

  it('keeps fields it does not know in the raw payload', () => {
    const payload = { ...loadEvent('leg-b-started'), brand_new_field: { nested: 1 } };
    expect(parseOk(payload).raw).toEqual(payload);
  });

  it('accepts the legacy cmiuid and ringing status', () => {
    const { cmiuuid, ...legacy } = loadEvent('leg-b-started');
    const event = parseOk({ ...legacy, cmiuid: cmiuuid, status: 'ringing' });
    expect(event.callId).toBe(cmiuuid);
    expect(event.status).toBe('started');
  });

  it.each([
    ['valid JSON object', '{"crm": "true", "ticket": 42}', { crm: 'true', ticket: 42 }],
    ['the literal none', 'none', 'none'],
    ['empty text', '', ''],
    ['malformed JSON', '{"crm": ', '{"crm": '],
    ['a JSON array', '[1,2]', '[1,2]'],
    ['an object already decoded', { crm: 'yes' }, { crm: 'yes' }],
  ])('never fails on custom holding %s', (_label, custom, expected) => {
    expect(parseOk({ ...loadEvent('leg-b-started'), custom }).custom).toEqual(expected);
  });

  it('leaves custom undefined when it is absent', () => {
    const { custom: _custom, ...payload } = loadEvent('leg-b-started');
    expect(parseOk(payload).custom).toBeUndefined();
  });

  it.each<[string, unknown, RegExp]>([
    ['not an object', 'hello', /must be an object/],
    ['an array', [loadEvent('leg-b-started')], /must be an object/],
    ['no type', { leg: 'b' }, /"type" must be "event" or "cdr" \(received missing\)/],
    ['an unknown type', { type: 'webhook' }, /received "webhook"/],
    ['an event of no known kind', { type: 'event', leg: 'c' }, /unrecognised TeleCMI event/],
    ['a missing call id', { ...loadEvent('leg-b-started'), cmiuuid: undefined }, /required \(text\)\n\s+→ at cmiuuid/],
    ['an empty call id', { ...loadEvent('leg-b-started'), cmiuuid: '  ' }, /must not be empty/],
    ['a time that is not a number', { ...loadEvent('leg-b-started'), time: 'yesterday' }, /expected a number\n\s+→ at time/],
    ['a negative time', { ...loadEvent('leg-b-started'), time: -5 }, /expected epoch milliseconds/],
    ['an unknown status', { ...loadEvent('leg-b-started'), status: 'exploded' }, /expected one of "started"\|"answered"\|"hangup"/],
    ['a caller that is not a number', { ...loadEvent('leg-b-started'), from: { n: 1 } }, /expected a phone number\n\s+→ at from/],
  ])('refuses %s with a readable reason', (_label, payload, reason) => {
    const result = parse(payload);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.reason).toMatch(reason);
      expect(result.reason).not.toMatch(/\bat .*\.ts:\d+/);
    }
  });

  it('gives the same key to a redelivery and different keys to different statuses', () => {
    const started = parseOk(loadEvent('leg-b-started'));
    expect(eventKey(parseOk(loadEvent('leg-b-started')))).toBe(eventKey(started));
    expect(eventKey(parseOk(loadEvent('leg-b-answered')))).not.toBe(eventKey(started));
  });
});

import { z } from 'zod';
import { eventSchemas, type CallEvent, type EventKind } from './eventSchema';
import { maxNesting, nestsDeeperThan } from './nesting';

export type ParseResult = { ok: true; event: CallEvent } | { ok: false; reason: string };

type Payload = Record<string, unknown>;

/**
 * Reads a TeleCMI payload (JSON body, form body or query string) into a `CallEvent`.
 * Never throws: anything that is not a TeleCMI event gets a reason a person can act on.
 */
export function parseTelecmiEvent(input: unknown, receivedAt: number): ParseResult {
  if (!isPayload(input)) {
    return { ok: false, reason: 'the payload must be an object of TeleCMI event fields' };
  }
  if (nestsDeeperThan(input)) return { ok: false, reason: `the payload nests deeper than ${maxNesting} levels: TeleCMI events are flat` };
  const kind = detectKind(input);
  if (typeof kind === 'object') return { ok: false, reason: kind.reason };
  const parsed = eventSchemas[kind].safeParse(withLegacyFields(input));
  if (!parsed.success) {
    return { ok: false, reason: `invalid ${describeKind(kind)}:\n${z.prettifyError(parsed.error)}` };
  }
  // Extended in place: a spread that adds fields costs more than the whole parse.
  return { ok: true, event: Object.assign(parsed.data, { raw: input, receivedAt }) };
}

function isPayload(input: unknown): input is Payload {
  return input !== null && typeof input === 'object' && !Array.isArray(input);
}

/** Which schema applies. Kinds are told apart by the fields TeleCMI documents for each. */
function detectKind(payload: Payload): EventKind | { reason: string } {
  const { type } = payload;
  if (type === 'cdr') {
    if (payload.direction === 'outbound') return 'outgoing-report';
    return payload.leg === 'b' ? 'agent-report' : 'cdr';
  }
  if (type !== 'event') {
    const received = type === undefined ? 'missing' : `${JSON.stringify(type)}`;
    return { reason: `not a TeleCMI event: "type" must be "event" or "cdr" (received ${received})` };
  }
  if ('callerid' in payload || 'call_id' in payload || 'request_id' in payload) return 'outgoing';
  if (payload.leg === 'b') return 'agent-leg';
  if (payload.direction === 'inbound' && (payload.leg === undefined || payload.leg === 'a')) {
    return 'caller-leg';
  }
  return {
    reason:
      'unrecognised TeleCMI event: expected leg "b" (an agent ringing), direction "inbound" ' +
      '(the caller leg) or an outgoing call (with "callerid")',
  };
}

/** Older payloads spelt the leg id `cmiuid`. */
function withLegacyFields(payload: Payload): Payload {
  if (payload.cmiuuid !== undefined || payload.cmiuid === undefined) return payload;
  return { ...payload, cmiuuid: payload.cmiuid };
}

function describeKind(kind: EventKind): string {
  const names: Record<EventKind, string> = {
    'agent-leg': 'agent leg (leg B) event',
    'caller-leg': 'caller leg (leg A) event',
    outgoing: 'outgoing call event',
    cdr: 'call report (CDR)',
    'agent-report': "agent's missed-call report (CDR, leg B)",
    'outgoing-report': 'outgoing call report (CDR)',
  };
  return names[kind];
}

/** Two deliveries of the same event share this key; distinct events never do. */
export function eventKey(event: CallEvent): string {
  return `${event.kind}|${event.callId}|${event.status}|${event.time.getTime()}`;
}

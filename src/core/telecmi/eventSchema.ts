import { z } from 'zod';
import { customField, epochMillisField, idField, numericField, phoneField, statusField } from './fieldSchemas';

/**
 * The TeleCMI live-event and CDR contract (see shared/telecmi/README.md), defined once.
 * Every kind is a loose object, so fields the platform adds later are kept, and each kind
 * normalises into the same internal `CallEvent`.
 */

const optionalText = idField.optional();

/** Incoming call, leg B: the agent's phone rings, is answered, hangs up. */
const agentLegSchema = z
  .looseObject({
    type: z.literal('event'),
    leg: z.literal('b'),
    cmiuuid: idField,
    conversation_uuid: optionalText,
    status: statusField(['started', 'answered', 'hangup']),
    from: phoneField,
    user: optionalText,
    team: optionalText,
    app_id: numericField.optional(),
    time: epochMillisField,
    custom: customField,
  })
  .transform((event) => ({
    kind: 'agent-leg' as const,
    leg: 'b' as const,
    status: event.status,
    callId: event.cmiuuid,
    conversationId: event.conversation_uuid ?? event.cmiuuid,
    from: event.from,
    to: undefined,
    agent: event.user,
    team: event.team,
    appId: event.app_id,
    time: new Date(event.time),
    custom: event.custom,
  }));

/** Incoming call, leg A: the caller on the business number. It carries the dialled number. */
const callerLegSchema = z
  .looseObject({
    type: z.literal('event'),
    cmiuuid: idField,
    conversation_uuid: optionalText,
    status: statusField(['waiting', 'answered', 'hangup']),
    from: phoneField,
    to: phoneField.optional(),
    app_id: numericField.optional(),
    time: epochMillisField,
    custom: customField,
  })
  .transform((event) => ({
    kind: 'caller-leg' as const,
    leg: 'a' as const,
    status: event.status,
    callId: event.cmiuuid,
    conversationId: event.conversation_uuid ?? event.cmiuuid,
    from: event.from,
    to: event.to,
    agent: undefined,
    team: undefined,
    appId: event.app_id,
    time: new Date(event.time),
    custom: event.custom,
  }));

/** A call the agent places. Parsed so it is understood, but it never rings anyone here. */
const outgoingSchema = z
  .looseObject({
    type: z.literal('event'),
    leg: z.enum(['a', 'b']).optional(),
    cmiuuid: idField,
    conversation_uuid: optionalText,
    status: statusField(['started', 'answered', 'hangup']),
    callerid: phoneField.optional(),
    to: phoneField.optional(),
    user: optionalText,
    app_id: numericField.optional(),
    time: epochMillisField,
    custom: customField,
  })
  .transform((event) => ({
    kind: 'outgoing' as const,
    leg: event.leg,
    status: event.status,
    callId: event.cmiuuid,
    conversationId: event.conversation_uuid ?? event.cmiuuid,
    from: event.callerid,
    to: event.to,
    agent: event.user,
    team: undefined,
    appId: event.app_id,
    time: new Date(event.time),
    custom: event.custom,
  }));

/** A flag that may come as JSON `true` or, over GET and forms, as the text `true`. */
const flagField = z.preprocess((value) => (typeof value === 'string' ? value.trim().toLowerCase() === 'true' : value), z.boolean());

/**
 * A report (CDR) of an incoming conversation: answered (by `user`) or missed by everyone, with the
 * wait, why it ended and whether the caller left a voicemail. The documented missed sample has no
 * `status`: a report without talk time is missed.
 */
const callReportSchema = z
  .looseObject({
    type: z.literal('cdr'),
    cmiuuid: idField,
    conversation_uuid: optionalText,
    status: statusField(['missed', 'answered']).optional(),
    from: phoneField.optional(),
    virtual_number: phoneField.optional(),
    user: optionalText,
    team: optionalText,
    appid: numericField.optional(),
    app_id: numericField.optional(),
    time: epochMillisField,
    waitedsec: numericField.optional(),
    answeredsec: numericField.optional(),
    hangup_reason: z.string().optional(),
    voicemail: flagField.optional(),
    custom: customField,
  })
  .transform((report) => ({
    kind: 'cdr' as const,
    leg: undefined,
    status: report.status ?? ((report.answeredsec ?? 0) > 0 ? 'answered' : 'missed'),
    callId: report.cmiuuid,
    conversationId: report.conversation_uuid ?? report.cmiuuid,
    from: report.from,
    to: report.virtual_number,
    agent: report.user,
    team: report.team,
    appId: report.appid ?? report.app_id,
    time: new Date(report.time),
    custom: report.custom,
    waitedSec: report.waitedsec,
    answeredSec: report.answeredsec,
    hangupReason: report.hangup_reason,
    voicemail: report.voicemail,
  }));

/**
 * "Incoming User Missed" (chub/incoming-user-missed): one agent's leg of an incoming call was not
 * answered by that agent, with why (`sent_reject`: the agent declined). Its `cmiuuid` is the agent
 * leg's; it carries no `conversation_uuid` (the leg tells the conversation), and its `to` is the
 * agent's phone, not the number dialled.
 */
const agentReportSchema = z
  .looseObject({
    type: z.literal('cdr'),
    leg: z.literal('b'),
    cmiuuid: idField,
    conversation_uuid: optionalText,
    status: statusField(['missed', 'answered']).optional(),
    from: phoneField.optional(),
    user: optionalText,
    team: optionalText,
    appid: numericField.optional(),
    app_id: numericField.optional(),
    time: epochMillisField,
    hangup_reason: z.string().optional(),
    custom: customField,
  })
  .transform((report) => ({
    kind: 'agent-report' as const,
    leg: 'b' as const,
    status: report.status ?? 'missed',
    callId: report.cmiuuid,
    /** Unknown until the leg is: the leg's own id stands in, and the pipeline finds the conversation. */
    conversationId: report.conversation_uuid ?? report.cmiuuid,
    knowsConversation: report.conversation_uuid !== undefined,
    from: report.from,
    to: undefined,
    agent: report.user,
    team: report.team,
    appId: report.appid ?? report.app_id,
    time: new Date(report.time),
    custom: report.custom,
    hangupReason: report.hangup_reason,
  }));

/** A report of an outgoing call (chub/outgoing-missed, -answered): understood, so it is never taken for an incoming one. */
const outgoingReportSchema = z
  .looseObject({
    type: z.literal('cdr'),
    cmiuuid: idField,
    conversation_uuid: optionalText,
    status: statusField(['missed', 'answered']).optional(),
    virtual_number: phoneField.optional(),
    to: phoneField.optional(),
    user: optionalText,
    appid: numericField.optional(),
    app_id: numericField.optional(),
    time: epochMillisField,
    answeredsec: numericField.optional(),
    hangup_reason: z.string().optional(),
    custom: customField,
  })
  .transform((report) => ({
    kind: 'outgoing-report' as const,
    leg: undefined,
    status: report.status ?? ((report.answeredsec ?? 0) > 0 ? 'answered' : 'missed'),
    callId: report.cmiuuid,
    conversationId: report.conversation_uuid ?? report.cmiuuid,
    from: report.virtual_number,
    to: report.to,
    agent: report.user,
    team: undefined,
    appId: report.appid ?? report.app_id,
    time: new Date(report.time),
    custom: report.custom,
    hangupReason: report.hangup_reason,
  }));

export const eventSchemas = {
  'agent-leg': agentLegSchema,
  'caller-leg': callerLegSchema,
  outgoing: outgoingSchema,
  cdr: callReportSchema,
  'agent-report': agentReportSchema,
  'outgoing-report': outgoingReportSchema,
} as const;

export type EventKind = keyof typeof eventSchemas;

type ParsedEvent = z.output<(typeof eventSchemas)[EventKind]>;

/** One TeleCMI event, whatever its kind, normalised for the call pipeline. */
export type CallEvent = ParsedEvent & {
  /** The original payload, unknown fields included, for support and the details view. */
  raw: Record<string, unknown>;
  /** Epoch milliseconds (sub-millisecond precision) when the request reached the receiver. */
  receivedAt: number;
  waitedSec?: number | undefined;
  answeredSec?: number | undefined;
  hangupReason?: string | undefined;
  /** A missed conversation's report: the caller left a voicemail. */
  voicemail?: boolean | undefined;
  /** An agent report without `conversation_uuid`: `conversationId` is its leg's id until the leg is known. */
  knowsConversation?: boolean;
};

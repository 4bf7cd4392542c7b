import { z } from 'zod';
import { phoneNumberSchema } from '../phone/phoneNumberSchema';
import { customFieldsSchema } from '../telecmi/customFields';

/**
 * What became of this desktop's leg of a conversation: `ringing` until the conversation is decided;
 * `answered` by this agent, `ended` once that talk is over; `answered-elsewhere` by a colleague;
 * `declined` by this agent; `missed` when the conversation ended with nobody answering.
 */
export const callStateSchema = z.enum(['ringing', 'answered', 'ended', 'answered-elsewhere', 'declined', 'missed']);
export type CallState = z.infer<typeof callStateSchema>;

/**
 * A call missed by everyone is a call to return. `done`: an agent's outgoing call to the number
 * started, the caller called again and someone answered, or a person marked it.
 */
export const callBackSchema = z.discriminatedUnion('state', [
  z.object({ state: z.literal('pending') }),
  z.object({
    state: z.literal('done'),
    /** The agent id; absent when marked by hand on this desktop. */
    by: z.string().optional(),
    byName: z.string().optional(),
    at: z.number(),
    how: z.enum(['called-back', 'called-again', 'marked']),
  }),
]);
export type CallBack = z.infer<typeof callBackSchema>;

export const timelineEntrySchema = z.object({
  /** `agent-leg:started`, `caller-leg:hangup`, `cdr:missed`... */
  event: z.string(),
  /** For another agent's leg of the conversation: which agent. */
  agent: z.string().optional(),
  /** TeleCMI's time of the event, epoch milliseconds. */
  time: z.number(),
  receivedAt: z.number(),
});

/**
 * One incoming call as the history keeps it: one record per leg B (`cmiuuid`) of this desktop's
 * agents, merged from its events and from the rest of its conversation (the caller leg, the other
 * agents' legs, the call reports). JSON-safe (epoch milliseconds,
 * no Dates), so the same shape is persisted and sent over IPC.
 */
export const callRecordSchema = z.object({
  id: z.string(),
  conversationId: z.string(),
  state: callStateSchema,
  from: phoneNumberSchema.optional(),
  /** The contacts the caller's number belongs to (this desktop's, else the team server's); absent when unknown. */
  callerNames: z.array(z.string()).optional(),
  /** The business number the caller dialled, from the caller leg (leg A `to`). */
  dialled: phoneNumberSchema.optional(),
  agent: z.string().optional(),
  team: z.string().optional(),
  appId: z.number().optional(),
  custom: customFieldsSchema.optional(),
  startedAt: z.number(),
  answeredAt: z.number().optional(),
  endedAt: z.number().optional(),
  /** When this agent's leg stopped ringing or talking (the conversation may go on: a hunt group rings the next agent). */
  legEndedAt: z.number().optional(),
  /** Talk time in seconds, when the call was answered and has ended. */
  durationSec: z.number().optional(),
  waitedSec: z.number().optional(),
  hangupReason: z.string().optional(),
  /** The colleague who answered (`answered-elsewhere`): TeleCMI's agent id, and a display name where one is known. */
  answeredBy: z.string().optional(),
  answeredByName: z.string().optional(),
  /** The caller left a voicemail (from the missed conversation's report). */
  voicemail: z.boolean().optional(),
  callBack: callBackSchema.optional(),
  receivedAt: z.number(),
  updatedAt: z.number(),
  read: z.boolean(),
  timeline: z.array(timelineEntrySchema),
  /** The payloads as received, for support. */
  events: z.array(z.record(z.string(), z.unknown())),
});
export type CallRecord = z.infer<typeof callRecordSchema>;
export type TimelineEntry = z.infer<typeof timelineEntrySchema>;

/** What changed in the history: pushed to the window so it never reloads the whole list. */
export const historyChangeSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('upserted'), call: callRecordSchema }),
  z.object({ type: z.literal('removed'), ids: z.array(z.string()) }),
  z.object({ type: z.literal('read'), ids: z.array(z.string()) }),
  z.object({ type: z.literal('cleared') }),
]);
export type HistoryChange = z.infer<typeof historyChangeSchema>;

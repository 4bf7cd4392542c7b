import { z } from 'zod';
import { phoneNumberSchema } from '../phone/phoneNumberSchema';
import { customFieldsSchema } from '../telecmi/customFields';

/** What the agent sees of a call; `ended` means answered and then hung up. */
export const callStateSchema = z.enum(['ringing', 'answered', 'ended', 'missed']);
export type CallState = z.infer<typeof callStateSchema>;

/** How far along a call is: a state never moves back (events may arrive out of order). */
export const callStateRank: Record<CallState, number> = { ringing: 0, answered: 1, ended: 2, missed: 2 };

export const timelineEntrySchema = z.object({
  /** `agent-leg:started`, `caller-leg:hangup`, `cdr:missed`... */
  event: z.string(),
  /** TeleCMI's time of the event, epoch milliseconds. */
  time: z.number(),
  receivedAt: z.number(),
});

/**
 * One incoming call as the history keeps it: one record per leg B (`cmiuuid`), merged from its
 * events and from its conversation's caller leg and call report. JSON-safe (epoch milliseconds,
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
  /** Talk time in seconds, when the call was answered and has ended. */
  durationSec: z.number().optional(),
  waitedSec: z.number().optional(),
  hangupReason: z.string().optional(),
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

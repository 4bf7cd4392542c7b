import { z } from 'zod';

/**
 * What the team server publishes for each TeleCMI event: the payload exactly as TeleCMI sent it
 * (every desktop reads it with the same contract, `parseTelecmiEvent`), when it arrived, and an
 * id for de-duplication (several receivers may publish the same event).
 */
export const teamEventMessageSchema = z.object({
  v: z.literal(1),
  id: z.string().min(1),
  receivedAt: z.number(),
  /** The message expiry it was published with: with the remaining expiry a subscriber is given, its age. */
  expirySec: z.number(),
  payload: z.record(z.string(), z.unknown()),
  /** The contacts the caller's number belongs to, from the team server's contact list (`serve --contacts`). */
  callerNames: z.array(z.string().max(200)).max(20).optional(),
});
export type TeamEventMessage = z.infer<typeof teamEventMessageSchema>;

/** The receiver's retained status: online while it runs, offline from its last will. */
export const receiverStatusMessageSchema = z.object({ v: z.literal(1), online: z.boolean(), at: z.number() });
export type ReceiverStatusMessage = z.infer<typeof receiverStatusMessageSchema>;

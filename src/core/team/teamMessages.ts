import { z } from 'zod';

const maxCallerNames = 20;
const maxCallerNameLength = 200;

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
  /**
   * The contacts the caller's number belongs to, from the team server's contact list (`serve
   * --contacts`). Names that do not fit are dropped, never the call they came with.
   */
  callerNames: z.array(z.string().max(maxCallerNameLength)).max(maxCallerNames).optional().catch(undefined),
  /** The display name of the event's agent, from the team's files: "Answered by Ravi Kumar". */
  agentName: z.string().max(maxCallerNameLength).optional().catch(undefined),
});

/** Publishing keeps `callerNames` within what every desktop accepts. */
export function publishableNames(names: readonly string[]): string[] | undefined {
  if (names.length === 0) return undefined;
  // Cut between characters, never inside a surrogate pair.
  const cut = (name: string): string => `${name.slice(0, maxCallerNameLength - 1).replace(/[\uD800-\uDBFF]$/, '')}…`;
  return names.slice(0, maxCallerNames).map((name) => (name.length > maxCallerNameLength ? cut(name) : name));
}
export type TeamEventMessage = z.infer<typeof teamEventMessageSchema>;

/** The receiver's retained status: online while it runs, offline from its last will. */
export const receiverStatusMessageSchema = z.object({ v: z.literal(1), online: z.boolean(), at: z.number() });
export type ReceiverStatusMessage = z.infer<typeof receiverStatusMessageSchema>;

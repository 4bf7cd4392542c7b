import { z } from 'zod';
import { sealedSchema } from './sealedBox';

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

/** Each receiver's retained status: online while it runs, offline from its last will. */
export const receiverStatusMessageSchema = z.object({ v: z.literal(1), online: z.boolean(), at: z.number() });
export type ReceiverStatusMessage = z.infer<typeof receiverStatusMessageSchema>;

/** A desktop asks to be let in with its join code: what it says it is, and the key its answer is sealed for. */
export const enrolRequestSchema = z.object({
  v: z.literal(1),
  label: z.string().max(100),
  version: z.string().max(40),
  publicKey: z.string().max(200),
});
export type EnrolRequest = z.infer<typeof enrolRequestSchema>;

/** The team server's answer: the desktop's own credentials, or why not. */
export const enrolResponseSchema = z.discriminatedUnion('ok', [
  z.object({
    ok: z.literal(true),
    deviceId: z.string(),
    username: z.string(),
    /** Sealed for the key of the desktop that asked: every holder of the join code can read the answer, only it can open this. */
    password: sealedSchema,
    clientId: z.string(),
    agent: z.string(),
    teams: z.array(z.string()),
  }),
  z.object({ ok: z.literal(false), reason: z.string() }),
]);
export type EnrolResponse = z.infer<typeof enrolResponseSchema>;

/**
 * A desktop's retained presence: online while connected (offline from its last will), its app
 * version, and which run of it this is (`instance`, `since`): two runs of one desktop's
 * credentials (a copied data folder) see each other here.
 */
export const presenceSchema = z.object({
  v: z.literal(1),
  online: z.boolean(),
  at: z.number(),
  instance: z.string().optional(),
  since: z.number().optional(),
  version: z.string().max(40).optional(),
  label: z.string().max(100).optional(),
  /** The connection's client id: another desktop sharing the user (an operator's broker) is not a copy. */
  clientId: z.string().max(100).optional(),
});
export type Presence = z.infer<typeof presenceSchema>;

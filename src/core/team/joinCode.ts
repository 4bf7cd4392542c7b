import { z } from 'zod';
import { agentNameSchema, teamNameSchema } from './teamNames';

/**
 * What a desktop needs to ask its team's broker to let it in, once: where the broker is (and the
 * private CA to trust for it alone), and a single-use invitation that expires. The desktop trades
 * it for credentials of its own.
 */
const brokerUrl = (schemes: RegExp, said: string) =>
  z
    .string()
    .regex(schemes, said)
    .refine((url) => URL.canParse(url), said);

export const inviteCodeSchema = z.object({
  v: z.literal(2),
  /** The broker as desktops reach it: `wss://` (or `ws://` on loopback, or where the team chose to run without TLS). */
  url: brokerUrl(/^wss?:\/\/[^\s/@]+(\/\S*)?$/, 'must be a wss:// or ws:// address'),
  /** A private CA's certificate (PEM), trusted for this broker only. */
  ca: z.string().max(20_000).optional(),
  invite: z.string().regex(/^[a-z0-9]{8,40}$/),
  secret: z.string().min(16),
  agent: agentNameSchema,
  /** Epoch milliseconds after which the code no longer lets anyone in. */
  expiresAt: z.number(),
});
export type InviteCode = z.infer<typeof inviteCodeSchema>;

/**
 * A join code for a broker the operator runs (EMQX, HiveMQ, an ejabberd cluster…), whose users
 * and rights they manage: the desktop's own credentials, used as they are (`team code`).
 */
export const credentialsCodeSchema = z.object({
  v: z.literal(3),
  url: brokerUrl(/^(mqtts?|wss?):\/\/[^\s/@]+(\/\S*)?$/, 'must be an mqtts://, mqtt://, wss:// or ws:// address'),
  ca: z.string().max(20_000).optional(),
  /** Also a topic level (its presence): no wildcard or separator. */
  username: z.string().regex(/^[^/+#\s]{1,200}$/, 'must be a broker user name without "/", "+", "#" or spaces'),
  password: z.string().min(1).max(500),
  /** Made for this code: two desktops with codes of their own never take each other's connection. */
  clientId: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/),
  agent: agentNameSchema,
  /** The teams whose calls it subscribes to (the operator's rights must allow each). */
  teams: z.array(teamNameSchema).max(50),
});
export type CredentialsCode = z.infer<typeof credentialsCodeSchema>;

export const joinCodeSchema = z.discriminatedUnion('v', [inviteCodeSchema, credentialsCodeSchema]);
export type JoinCode = z.infer<typeof joinCodeSchema>;

const prefix = 'tcmi2.';

export function encodeJoinCode(code: JoinCode): string {
  return prefix + Buffer.from(JSON.stringify(joinCodeSchema.parse(code))).toString('base64url');
}

/** The join code's fields, or why it is not one (never echoing the code, which holds a secret). */
export function decodeJoinCode(text: string): { ok: true; code: JoinCode } | { ok: false; reason: string } {
  const trimmed = text.trim();
  if (trimmed.startsWith('tcmi1.')) {
    return { ok: false, reason: 'this join code is from an earlier version of the team server: ask your supervisor for a new one' };
  }
  if (!trimmed.startsWith(prefix))
    return { ok: false, reason: `not a join code: it starts with "${prefix}"; copy the whole line your supervisor sent` };
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(trimmed.slice(prefix.length), 'base64url').toString('utf8'));
  } catch {
    return { ok: false, reason: 'the join code is damaged (cut short or changed): ask your supervisor for it again' };
  }
  const parsed = joinCodeSchema.safeParse(json);
  if (!parsed.success) {
    return {
      ok: false,
      reason: `the join code is not valid: ${parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}`,
    };
  }
  return { ok: true, code: parsed.data };
}

/** Whether a desktop reaches this broker without TLS anywhere but on this machine (its password in clear). */
export const reachedInClear = (url: string): boolean =>
  /^(ws|mqtt):\/\//.test(url) && !['127.0.0.1', 'localhost'].includes(new URL(url).hostname);

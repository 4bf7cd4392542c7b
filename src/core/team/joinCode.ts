import { z } from 'zod';
import { teamNameSchema } from './teamNames';

/** Everything a desktop needs to join its team's broker, in one string the supervisor sends. */
export const joinCodeSchema = z.object({
  v: z.literal(1),
  /** The broker as desktops reach it: `ws://`, `wss://`, `mqtt://` or `mqtts://`. */
  // No credentials in the address: they travel apart, and an address may be logged.
  url: z
    .string()
    .regex(/^(wss?|mqtts?):\/\/[^\s/@]+(\/\S*)?$/, 'must be a ws://, wss://, mqtt:// or mqtts:// address')
    .refine((url) => URL.canParse(url), 'must be a ws://, wss://, mqtt:// or mqtts:// address'),
  username: teamNameSchema,
  password: z.string().min(16),
  agent: teamNameSchema,
  teams: z.array(teamNameSchema),
});
export type JoinCode = z.infer<typeof joinCodeSchema>;

const prefix = 'tcmi1.';

export function encodeJoinCode(code: JoinCode): string {
  return prefix + Buffer.from(JSON.stringify(joinCodeSchema.parse(code))).toString('base64url');
}

/** The join code's fields, or why it is not one (never echoing the code, which holds a password). */
export function decodeJoinCode(text: string): { ok: true; code: JoinCode } | { ok: false; reason: string } {
  const trimmed = text.trim();
  if (!trimmed.startsWith(prefix))
    return { ok: false, reason: `not a join code: it starts with "${prefix}"; copy the whole line your supervisor sent` };
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(trimmed.slice(prefix.length), 'base64url').toString('utf8'));
  } catch {
    return { ok: false, reason: 'the join code is damaged (cut short or changed): ask your supervisor for it again' };
  }
  const parsed = joinCodeSchema.safeParse(json);
  if (!parsed.success)
    return {
      ok: false,
      reason: `the join code is not valid: ${parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}`,
    };
  return { ok: true, code: parsed.data };
}

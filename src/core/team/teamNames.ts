import { z } from 'zod';

/**
 * TeleCMI's agent (`204_2222223`) and team (`Sales_2222223`) ids become MQTT topic levels and
 * Mosquitto user names: no wildcards, separators or spaces, so one agent can never name a topic
 * pattern that reaches another's calls.
 */
export const teamNameSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, 'must be 1 to 64 letters, digits, "_", "." or "-" (as TeleCMI writes ids: 204_2222223)');

/** The user the receiver publishes as. */
export const receiverUsername = 'telecmi-receiver';

/** An agent id, which is also its broker user: never the receiver's. */
export const agentNameSchema = teamNameSchema.refine(
  (name) => name !== receiverUsername,
  `"${receiverUsername}" is the receiver's user, not an agent`,
);

/** A person's name for an agent, shown to colleagues ("Answered by Ravi Kumar"). */
export const agentDisplayNameSchema = z.string().trim().min(1, 'must not be empty').max(100, 'must be at most 100 characters');

/** A join code's broker user and the one client id it may connect with (so it can take no one else's). */
export const inviteIdentity = (invite: string): { username: string; clientId: string } => ({
  username: `invite-${invite}`,
  clientId: `telecmi-enrol-${invite}`,
});

import mqtt from 'mqtt';
import { z } from 'zod';
import { describeLinkError } from '../brokerLink';
import type { CredentialsCode, InviteCode } from '../joinCode';
import { enrolResponseSchema, type EnrolRequest } from '../teamMessages';
import { newSealingKeys, unseal, type Sealed, type SealingKeys } from '../sealedBox';
import { inviteIdentity } from '../teamNames';
import { topics } from '../topics';
import { payloadJson } from '../payloadJson';

/** A desktop's own credentials for its team's broker, traded once for its join code. */
export const deviceCredentialsSchema = z.object({
  v: z.literal(1),
  url: z.string(),
  ca: z.string().optional(),
  deviceId: z.string(),
  username: z.string(),
  password: z.string(),
  clientId: z.string(),
  agent: z.string(),
  teams: z.array(z.string()),
  /** The join code they came from: a new code is a new enrolment. */
  invite: z.string(),
  /** Subscribe to its own teams' topics only: a broker the operator runs grants those alone. */
  ownTeamsOnly: z.boolean().optional(),
});
export type DeviceCredentials = z.infer<typeof deviceCredentialsSchema>;

/** Why a desktop could not join; `final`: the same join code will never work (used, expired, revoked). */
export class EnrolFailure extends Error {
  constructor(
    message: string,
    readonly final: boolean,
  ) {
    super(message);
    this.name = 'EnrolFailure';
  }
}

export interface EnrolOptions {
  /** What this desktop is: its computer's name. */
  label: string;
  version: string;
  /** How long to wait for the team server's answer. */
  timeoutMs?: number;
  /** The keys the answer is sealed for: the same across one desktop's tries, so an answer that waited in its session opens. */
  keys?: SealingKeys;
}

const usedUp = 'this join code was used already, has expired, or was revoked: ask your supervisor for a new one ("team invite")';

/**
 * Trades a join code for this desktop's own credentials: connects as the invitation and asks the
 * team server, which then uses the invitation up. The request is retained, so a team server that
 * starts (or subscribes) later still hears it; the session is kept an hour under a client id of
 * the invitation's own, so an answer given while this desktop was away waits for it.
 */
export async function enrol(
  code: InviteCode,
  { label, version, timeoutMs = 30_000, keys = newSealingKeys() }: EnrolOptions,
): Promise<DeviceCredentials> {
  if (code.expiresAt <= Date.now())
    throw new EnrolFailure('this join code has expired: ask your supervisor for a new one ("team invite")', true);
  const client = mqtt.connect(code.url, {
    username: inviteIdentity(code.invite).username,
    password: code.secret,
    clientId: inviteIdentity(code.invite).clientId,
    clean: false,
    properties: { sessionExpiryInterval: 3600 },
    protocolVersion: 5,
    reconnectPeriod: 0,
    connectTimeout: 10_000,
    ...(code.ca && { ca: code.ca, rejectUnauthorized: true }),
  });
  // Listening before the connection opens: an answer queued in the session comes right after it.
  const answered = new Promise<unknown>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new EnrolFailure('the team server did not answer: it may be stopped; this desktop asks again shortly', false)),
      timeoutMs,
    );
    client.on('message', (topic, payload) => {
      if (topic !== topics.enrolResponse(code.invite)) return;
      clearTimeout(timer);
      resolve(payloadJson(payload));
    });
    client.on('error', (error) => {
      clearTimeout(timer);
      const reason = describeLinkError(error as Error & { code?: string }, code.url);
      reject(/Not authorized/.test(reason) ? new EnrolFailure(usedUp, true) : new EnrolFailure(reason, false));
    });
    client.on('close', () => {
      clearTimeout(timer);
      reject(new EnrolFailure(usedUp, true));
    });
  });
  // Whatever happens first decides; a later rejection (the close at the end) is no one's concern.
  answered.catch(() => undefined);
  try {
    await Promise.race([new Promise((resolve) => client.once('connect', resolve)), answered]);
    await client.subscribeAsync(topics.enrolResponse(code.invite), { qos: 1 });
    // A computer's name can be longer than the team keeps.
    const request: EnrolRequest = { v: 1, label: label.slice(0, 100), version: version.slice(0, 40), publicKey: keys.publicKey };
    await client.publishAsync(topics.enrolRequest(code.invite), JSON.stringify(request), { qos: 1, retain: true });
    const response = enrolResponseSchema.safeParse(await answered);
    if (!response.success) throw new EnrolFailure('the team server answered in a way this app does not understand: update the app', false);
    if (!response.data.ok) throw new EnrolFailure(response.data.reason, true);
    const { deviceId, username, clientId, agent, teams } = response.data;
    const password = openAnswer(response.data.password, keys);
    return {
      v: 1,
      url: code.url,
      ...(code.ca && { ca: code.ca }),
      deviceId,
      username,
      password,
      clientId,
      agent,
      teams,
      invite: code.invite,
    };
  } catch (error) {
    if (error instanceof EnrolFailure) throw error;
    // A subscribe or publish cut short by the team's broker closing the link ("Connection closed"):
    // the close, as handled above, says why (the code's user is gone: used, expired or revoked).
    if (!client.connected)
      throw await answered.then(
        () => new EnrolFailure(usedUp, true),
        (failure: unknown) => failure,
      );
    throw new EnrolFailure(describeLinkError(error as Error & { code?: string }, code.url), false);
  } finally {
    client.end(true);
  }
}

/** An answer sealed for another desktop's key: another computer asked with this join code first. */
function openAnswer(sealed: Sealed, keys: SealingKeys): string {
  try {
    return unseal(sealed, keys);
  } catch {
    throw new EnrolFailure(usedUp, true);
  }
}

/** The credentials an operator's join code carries (`team code`): used as they are, nothing traded. */
export function credentialsOf(code: CredentialsCode): DeviceCredentials {
  const { url, ca, username, password, clientId, agent, teams } = code;
  return {
    v: 1,
    url,
    ...(ca && { ca }),
    deviceId: clientId,
    username,
    password,
    clientId,
    agent,
    teams,
    invite: clientId,
    ownTeamsOnly: true,
  };
}

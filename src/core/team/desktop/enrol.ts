import { randomBytes } from 'node:crypto';
import mqtt from 'mqtt';
import { z } from 'zod';
import { describeLinkError } from '../brokerLink';
import type { JoinCode } from '../joinCode';
import { enrolResponseSchema, type EnrolRequest } from '../teamMessages';
import { topics } from '../topics';

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
}

const usedUp = 'this join code was used already, has expired, or was revoked: ask your supervisor for a new one ("team invite")';

/**
 * Trades a join code for this desktop's own credentials: connects once as the invitation, asks the
 * team server, and takes its answer. The invitation is then used up.
 */
export async function enrol(code: JoinCode, { label, version, timeoutMs = 30_000 }: EnrolOptions): Promise<DeviceCredentials> {
  if (code.expiresAt <= Date.now())
    throw new EnrolFailure('this join code has expired: ask your supervisor for a new one ("team invite")', true);
  let client;
  try {
    client = await mqtt.connectAsync(code.url, {
      username: `invite-${code.invite}`,
      password: code.secret,
      clientId: `telecmi-enrol-${randomBytes(6).toString('hex')}`,
      protocolVersion: 5,
      reconnectPeriod: 0,
      connectTimeout: 10_000,
      ...(code.ca && { ca: code.ca, rejectUnauthorized: true }),
    });
  } catch (error) {
    const reason = describeLinkError(error as Error & { code?: string }, code.url);
    throw /Not authorized/.test(reason) ? new EnrolFailure(usedUp, true) : new EnrolFailure(reason, false);
  }
  try {
    const answered = new Promise<unknown>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new EnrolFailure('the team server did not answer: it may be stopped; this desktop asks again shortly', false)),
        timeoutMs,
      );
      client.on('message', (_topic, payload) => {
        clearTimeout(timer);
        try {
          resolve(JSON.parse(payload.toString('utf8')));
        } catch (error) {
          reject(error);
        }
      });
      client.on('close', () => {
        clearTimeout(timer);
        reject(new EnrolFailure(usedUp, true));
      });
    });
    await client.subscribeAsync(topics.enrolResponse(code.invite), { qos: 1 });
    await client.publishAsync(topics.enrolRequest(code.invite), JSON.stringify({ v: 1, label, version } satisfies EnrolRequest), {
      qos: 1,
    });
    const response = enrolResponseSchema.parse(await answered);
    if (!response.ok) throw new EnrolFailure(response.reason, true);
    const { deviceId, username, password, clientId, agent, teams } = response;
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
  } finally {
    client.end(true);
  }
}

import { z } from 'zod';
import { screenPopSchema } from '../calls/screenPop';
import { countryCodeSchema } from '../contacts/countryCode';
import { generateWebhookToken, webhookTokenSchema } from '../receiver/webhookToken';

export const defaultPort = 8787;

const idList = z.array(z.string().trim().min(1, 'must not be empty')).max(100);

/**
 * The settings, defined once: the app validates what it reads from disk with it, the window
 * validates its form with it, and the headless CLI validates its flags with it.
 */
export const settingsSchema = z.object({
  host: z.union([z.ipv4(), z.ipv6(), z.literal('localhost')], { error: 'must be an IP address or "localhost"' }).default('127.0.0.1'),
  port: z
    .number({ error: 'must be a number' })
    .int('must be a whole number')
    .min(1, 'must be between 1 and 65535')
    .max(65535, 'must be between 1 and 65535')
    .default(defaultPort),
  token: webhookTokenSchema.default(generateWebhookToken),
  /** Agent ids to notify for (`204` or `204_2222223`); empty: every agent. */
  agents: idList.default([]),
  /** Teams to notify for (`Sales` or `Sales_2222223`); empty: every team. */
  teams: idList.default([]),
  notificationSound: z.boolean().default(true),
  /** Epoch milliseconds until which notifications are paused; null: not paused. */
  pausedUntil: z.number().int().nullable().default(null),
  /** Opens a caller in a CRM: an http(s) URL where `{from}` stands for the caller's number. */
  crmUrlTemplate: z
    .union([
      z.literal(''),
      z
        .url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' })
        .refine((url) => url.includes('{from}'), 'must contain {from} where the number goes'),
    ])
    .default(''),
  /** Opens the CRM link by itself when a call rings or is answered; never by default. */
  screenPop: screenPopSchema.default('never'),
  /** The country of contact numbers written without a country code (`098765 43210`). */
  defaultCountry: countryCodeSchema.default('IN'),
  maxCalls: z
    .number({ error: 'must be a number' })
    .int('must be a whole number')
    .min(10, 'must be at least 10')
    .max(100_000, 'must be at most 100000')
    .default(1000),
  startAtLogin: z.boolean().default(false),
  /** Colleagues' names by agent id (`205` or `205_2222223`): "Answered by Ravi Kumar". */
  agentNames: z
    .record(
      z.string().trim().min(1, 'must not be empty').max(64, 'must be at most 64 characters'),
      z.string().trim().min(1, 'must not be empty').max(100, 'must be at most 100 characters'),
    )
    .refine((names) => Object.keys(names).length <= 1000, 'at most 1000 names')
    .default({}),
  /** "own": the user runs ngrok or cloudflared; "ngrok": the app opens the tunnel itself. */
  tunnelMode: z.enum(['own', 'ngrok'], { error: 'must be "own" or "ngrok"' }).default('own'),
  /** With a tunnel of one's own: its public https URL, so the connection check can use it. */
  ownTunnelUrl: z
    .union([
      z.literal(''),
      // Kept without a trailing slash, so `/telecmi/<token>` can be appended.
      z.url({ protocol: /^https?$/, error: 'must be the tunnel’s http(s) URL' }).transform((url) => url.replace(/\/+$/, '')),
    ])
    .default(''),
  /** A reserved ngrok domain (`agent.ngrok.app`); empty: ngrok picks one, new each session. */
  ngrokDomain: z
    .union([
      z.literal(''),
      z.string().regex(/^(?=.{1,253}$)([a-z0-9-]{1,63}\.)+[a-z]{2,63}$/i, 'must be a domain name, like agent.ngrok.app'),
    ])
    .default(''),
  /** The public URL of the last built-in tunnel: a new one means TeleCMI must be told. */
  lastPublicUrl: z.string().default(''),
  /** False until the first-run welcome has been dismissed. */
  welcomed: z.boolean().default(false),
  /** "receiver": this computer receives the webhook (receiver and tunnel); "team": it joined its team's server. */
  connectionMode: z.enum(['receiver', 'team'], { error: 'must be "receiver" or "team"' }).default('receiver'),
  /** Who this desktop joined as, shown in Settings; the join code itself is kept encrypted, apart. */
  teamIdentity: z
    .object({ agent: z.string(), teams: z.array(z.string()), brokerHost: z.string() })
    .nullable()
    .default(null),
});

export type Settings = z.infer<typeof settingsSchema>;

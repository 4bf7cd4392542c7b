import { z } from 'zod';
import { contactsSummarySchema } from '../contacts/contactSchemas';
import { saveStateSchema } from '../history/saveState';
import { teamStatusSchema } from '../team/desktop/teamStatus';
import { receiverStatusSchema } from '../receiver/receiverStatus';
import { tunnelStatusSchema } from '../tunnel/tunnelStatus';

/** Everything the tray and the window's status bar show, derived in one place. */
export const appStatusSchema = z.object({
  receiver: receiverStatusSchema,
  /** Epoch milliseconds; set only while notifications are paused. */
  pausedUntil: z.number().nullable(),
  unread: z.number().int().min(0),
  /** Calls missed by everyone, waiting to be called back. */
  toCallBack: z.number().int().min(0),
  startAtLogin: z.boolean(),
  tunnel: tunnelStatusSchema,
  /** The URL to give TeleCMI: the tunnel's public address with the token, when the app knows it. */
  publicWebhookUrl: z.string().optional(),
  /** Whether an ngrok authtoken is saved; the token itself never leaves the main process. */
  ngrokAuthtokenSaved: z.boolean(),
  /** Whether the OS keychain encrypts it (not on a Linux desktop without a keyring). */
  secretsEncrypted: z.boolean(),
  /** In team mode: the connection to the team's broker (null when this computer receives the webhook). */
  team: teamStatusSchema.nullable(),
  /** Whether the call history is on disk. */
  history: saveStateSchema,
  /** The imported contacts, or null. */
  contacts: contactsSummarySchema,
  /** When the receiver last accepted an event (epoch ms). */
  lastEventAt: z.number().nullable(),
});
export type AppStatus = z.infer<typeof appStatusSchema>;

import { z } from 'zod';
import { receiverStatusSchema } from '../receiver/receiverStatus';

/** Everything the tray and the window's status bar show, derived in one place. */
export const appStatusSchema = z.object({
  receiver: receiverStatusSchema,
  /** Epoch milliseconds; set only while notifications are paused. */
  pausedUntil: z.number().nullable(),
  unread: z.number().int().min(0),
  startAtLogin: z.boolean(),
});
export type AppStatus = z.infer<typeof appStatusSchema>;

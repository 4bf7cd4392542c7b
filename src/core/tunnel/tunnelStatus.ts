import { z } from 'zod';

/** Where the public path stands: shown in the tray and the window's status bar. */
export const tunnelStatusSchema = z.discriminatedUnion('state', [
  /** "I run my own tunnel": the app does not open one. */
  z.object({ state: z.literal('off') }),
  z.object({ state: z.literal('connecting'), attempt: z.number().int() }),
  z.object({ state: z.literal('online'), url: z.string() }),
  /** Dropped or refused; `retryAt` when the app will try again (epoch ms). */
  z.object({ state: z.literal('offline'), reason: z.string(), retryAt: z.number().optional() }),
]);
export type TunnelStatus = z.infer<typeof tunnelStatusSchema>;

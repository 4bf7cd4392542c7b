import { z } from 'zod';

export const receiverStatusSchema = z.object({
  state: z.enum(['stopped', 'starting', 'listening', 'error']),
  /** `http://127.0.0.1:8787` while listening. */
  origin: z.string().optional(),
  /** The local webhook URL, token included. */
  webhookUrl: z.string().optional(),
  /** What went wrong and what to do, e.g. a port in use. */
  error: z.string().optional(),
});
export type ReceiverStatus = z.infer<typeof receiverStatusSchema>;

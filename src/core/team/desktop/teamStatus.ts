import { z } from 'zod';

/** The desktop's link to its team's broker, and whether the team server (the receiver) is up. */
export const teamStatusSchema = z.object({
  state: z.enum(['connecting', 'connected', 'offline']),
  teamServer: z.enum(['online', 'offline', 'unknown']),
  reason: z.string().optional(),
});
export type TeamStatus = z.infer<typeof teamStatusSchema>;

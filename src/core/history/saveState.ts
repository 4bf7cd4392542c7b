import { z } from 'zod';

/** Whether what the history holds is on disk; shown in the tray and the status bar when it is not. */
export const saveStateSchema = z.discriminatedUnion('saved', [
  z.object({ saved: z.literal(true) }),
  z.object({ saved: z.literal(false), error: z.string(), unsaved: z.number().int().min(0) }),
]);
export type SaveState = z.infer<typeof saveStateSchema>;

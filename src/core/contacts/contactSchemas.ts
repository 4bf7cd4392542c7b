import { z } from 'zod';

/** What an import did, as the window and the CLI show it. */
export const importReportSchema = z.object({
  source: z.string(),
  read: z.number(),
  imported: z.number(),
  /** The first rows left out, with why; `skippedCount` counts them all. */
  skipped: z.array(z.object({ where: z.string(), reason: z.string() })),
  skippedCount: z.number(),
});
export type ImportReport = z.infer<typeof importReportSchema>;

/** What the window shows of the imported contacts. */
export const contactsSummarySchema = z.object({ count: z.number(), source: z.string(), importedAt: z.number() }).nullable();
export type ContactsSummary = z.infer<typeof contactsSummarySchema>;

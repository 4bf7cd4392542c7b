import { z } from 'zod';

export const phoneNumberSchema = z.object({
  /** What TeleCMI sent, reduced to digits (country code first, no `+`). */
  digits: z.string(),
  /** What a person reads: `+44 20 7946 0000`, or the raw text when it holds no number. */
  display: z.string(),
});
export type PhoneNumber = z.infer<typeof phoneNumberSchema>;

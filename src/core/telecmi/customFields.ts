import { z } from 'zod';

/** TeleCMI's `custom`: an object when it was valid JSON, else the text as sent. */
export const customFieldsSchema = z.union([z.record(z.string(), z.unknown()), z.string()]);
export type CustomFields = z.infer<typeof customFieldsSchema>;

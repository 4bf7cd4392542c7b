import { z } from 'zod';

/** A mistake in how the command was called: printed without a stack, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** An environment the CLI cannot work in (an unusable data folder...): one line, exit code 1. */
export class EnvironmentError extends Error {
  override name = 'EnvironmentError';
}

export function validateOptions<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const parsed = schema.safeParse(input);
  if (!parsed.success) throw new UsageError(`invalid options:\n${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

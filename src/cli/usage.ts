import type { z } from 'zod';

/** A mistake in how the command was called: printed without a stack, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** An environment the CLI cannot work in (an unusable data folder, a port in use...): one line, exit code 1. */
export class EnvironmentError extends Error {
  override name = 'EnvironmentError';
}

/** `--join-code-env` for `joinCodeEnv`; `flags` names the fields whose flag is spelt otherwise (`agents`: `--user`). */
const flagOf = (field: string, flags: Record<string, string>): string =>
  flags[field] ?? `--${field.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

/** What an option wants, in words: zod's own wording ("Invalid input: expected number, received NaN") says little to a user. */
function wants(issue: z.core.$ZodIssue, given: unknown): string {
  if (issue.code === 'invalid_type')
    return given === undefined ? 'is required' : `must be ${issue.expected === 'number' ? 'a number' : `a ${issue.expected}`}`;
  if (issue.code === 'invalid_value') return `must be one of ${issue.values.map(String).join(', ')}`;
  if (issue.code === 'too_small' && /^Too small/.test(issue.message)) return `must be at least ${String(issue.minimum)}`;
  if (issue.code === 'too_big' && /^Too big/.test(issue.message)) return `must be at most ${String(issue.maximum)}`;
  return issue.message;
}

/**
 * The options, checked: one line per mistake that names the flag and what it wants (the first
 * mistake only: one fix at a time), never an internal field name.
 */
export function validateOptions<S extends z.ZodType>(
  schema: S,
  input: Record<string, unknown>,
  flags: Record<string, string> = {},
): z.output<S> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const [issue] = parsed.error.issues;
  const field = String(issue?.path[0] ?? '');
  const index = issue?.path[1];
  // A repeatable flag (`--user`) names the value that is wrong.
  const given = typeof index === 'number' && Array.isArray(input[field]) ? (input[field] as unknown[])[index] : input[field];
  const shown = given === undefined || Array.isArray(given) ? '' : ` ${JSON.stringify(given)}`;
  if (!issue) throw new UsageError('invalid options');
  const wanted = wants(issue, given);
  throw new UsageError(`${flagOf(field, flags)}${shown}${wanted.startsWith('is ') ? ' ' : ': '}${wanted}`);
}

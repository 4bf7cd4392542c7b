import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The reference payloads in shared/telecmi/events, beside the project's clone. */
export const eventsDir = fileURLToPath(new URL('../../../shared/telecmi/events', import.meta.url));

export type Payload = Record<string, unknown>;

export function loadEvent(name: string): Payload {
  return JSON.parse(readFileSync(join(eventsDir, `${name}.json`), 'utf8')) as Payload;
}

export function allEventNames(): string[] {
  return readdirSync(eventsDir)
    .filter((file) => file.endsWith('.json'))
    .map((file) => file.replace(/\.json$/, ''));
}

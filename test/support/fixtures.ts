import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * TeleCMI's reference payloads, copied from the team's shared/telecmi/events so a clone on its own
 * (a fork's GitHub Actions) has them; test/fixtures/fixtures.test.ts keeps the copy in step.
 */
export const eventsDir = fileURLToPath(new URL('../fixtures/telecmi-events', import.meta.url));
export const sharedEventsDir = fileURLToPath(new URL('../../../shared/telecmi/events', import.meta.url));

export type Payload = Record<string, unknown>;

export function loadEvent(name: string): Payload {
  return JSON.parse(readFileSync(join(eventsDir, `${name}.json`), 'utf8')) as Payload;
}

export function allEventNames(): string[] {
  return readdirSync(eventsDir)
    .filter((file) => file.endsWith('.json'))
    .map((file) => file.replace(/\.json$/, ''));
}

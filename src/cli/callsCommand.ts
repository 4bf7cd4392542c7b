import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { openCallDatabase } from '../core/history/callDatabase';
import { createCallHistory } from '../core/history/callHistory';
import { historyFileName } from '../core/history/historyFolder';
import { createCliLogger } from './cliLogger';
import { describeFsError } from '../core/storage/fsErrors';
import { defaultDataDir } from './dataDir';
import { EnvironmentError } from './usage';

export const callsHelp = `Usage: telecmi-notifier calls [--data-dir D]

Prints the saved calls, newest first, as JSON (default data folder ${defaultDataDir}).
It only reads: a missing or damaged history is reported, never changed (a lock a killed
process left is taken over). While serve or the app holds the history, it says so.`;

export async function callsCommand(args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { 'data-dir': { type: 'string' } } });
  const dataDir = values['data-dir'] ?? defaultDataDir;
  if (!existsSync(dataDir) || !statSync(dataDir).isDirectory()) throw new EnvironmentError(`there is no data folder at ${dataDir}`);
  const file = join(dataDir, historyFileName);
  if (!existsSync(file)) return void process.stdout.write('[]\n');
  const log = createCliLogger('warn');
  let database;
  try {
    database = openCallDatabase(file, log, { readOnly: true });
  } catch (error) {
    throw new EnvironmentError(`${file} cannot be read as a call history: ${describeFsError(error)}`);
  }
  const history = createCallHistory({ database, maxCalls: Number.MAX_SAFE_INTEGER, log });
  process.stdout.write(`${JSON.stringify(await history.list(), null, 2)}\n`);
  database.close();
}

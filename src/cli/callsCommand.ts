import { parseArgs } from 'node:util';
import { createCliLogger } from './cliLogger';
import { defaultDataDir, openHistory } from './dataDir';

export const callsHelp = `Usage: telecmi-notifier calls [--data-dir D]

Prints the saved calls, newest first, as JSON (default data folder ${defaultDataDir}).`;

export function callsCommand(args: string[]): void {
  const { values } = parseArgs({ args, options: { 'data-dir': { type: 'string' } } });
  const calls = openHistory(values['data-dir'] ?? defaultDataDir, createCliLogger('warn')).load();
  process.stdout.write(`${JSON.stringify(calls, null, 2)}\n`);
}

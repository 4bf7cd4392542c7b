import { errorMessage } from '../core/log/errorMessage';
import { version } from '../../package.json';
import { useHistoryWorker, warmHistoryThread } from '../core/history/worker/historyThread';
import { UsageError } from './usage';

// Built, the history's worker sits beside this file (vite.cli.config.ts).
useHistoryWorker(new URL('./historyWorker.js', import.meta.url));

const help = `Usage: telecmi-notifier <command> [options]

Commands:
  serve       run the webhook receiver and call pipeline headless
  calls       print the saved calls as JSON
  simulate    send realistic TeleCMI events to a webhook URL
  team        set up a team's MQTT broker and the agents who may connect (init, add-agent...)
  listen      join a team server as one agent, headless (the desktop app's team mode)

Run "telecmi-notifier <command> --help" for a command's options, "telecmi-notifier --version" for
this version.`;

interface Command {
  run: (args: string[]) => unknown;
  help: string;
}

/** A command's module is loaded when it runs: what it does not use (the MQTT client for a plain `serve`) costs no start-up time. */
const commands: Record<string, () => Promise<Command>> = {
  serve: async () => import('./serveCommand').then((command) => ({ run: command.serveCommand, help: command.serveHelp })),
  calls: async () => import('./callsCommand').then((command) => ({ run: command.callsCommand, help: command.callsHelp })),
  simulate: async () => import('./simulateCommand').then((command) => ({ run: command.simulateCommand, help: command.simulateHelp })),
  team: async () => import('./teamCommand').then((command) => ({ run: command.teamCommand, help: command.teamHelp })),
  listen: async () => import('./listenCommand').then((command) => ({ run: command.listenCommand, help: command.listenHelp })),
};

/** The commands that open a data folder's history as they start. */
const commandsKeepingHistory = new Set(['serve', 'listen']);

async function main([name, ...args]: string[]): Promise<void> {
  if (name === '--version' || name === '-v') return void process.stdout.write(`${version}\n`);
  const load = name === undefined ? undefined : commands[name];
  if (!load) {
    if (name !== undefined && !['help', '--help', '-h'].includes(name)) throw new UsageError(`unknown command "${name}"\n\n${help}`);
    return void process.stdout.write(`${help}\n`);
  }
  const wantsHelp = args.includes('--help') || args.includes('-h');
  // The history's thread loads while this one loads the command: start-up takes the longer of the two.
  if (commandsKeepingHistory.has(name as string) && !wantsHelp) warmHistoryThread();
  const command = await load();
  if (wantsHelp) return void process.stdout.write(`${command.help}\n`);
  await command.run(args);
}

/** Node's own option errors (`parseArgs`), said as ours are. */
function parseArgsMessage(error: Error & { code: string }): string {
  const option = /'(--?[\w-]+)/.exec(error.message)?.[1];
  if (error.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && option) return `unknown option ${option}`;
  if (error.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && option) return `${option} needs a value`;
  if (error.code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') return error.message.replace(/\.$/, '');
  return error.message;
}

const isParseArgsError = (error: unknown): error is Error & { code: string } =>
  error instanceof Error && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS');

// One line for the user, never a stack: wrong usage exits 2 (with where to look), anything else 1.
const argv = process.argv.slice(2);
main(argv).catch((error: unknown) => {
  const usage = error instanceof UsageError || isParseArgsError(error);
  const message = isParseArgsError(error) ? parseArgsMessage(error) : errorMessage(error);
  const command = argv[0] !== undefined && argv[0] in commands ? `telecmi-notifier ${argv[0]} --help` : 'telecmi-notifier --help';
  const pointer = usage && !message.includes('\n') ? ` (see ${command})` : '';
  console.error(`telecmi-notifier: ${message}${pointer}`);
  process.exitCode = usage ? 2 : 1;
});

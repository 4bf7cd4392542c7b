import { UsageError } from './usage';
import { errorMessage } from '../core/log/errorMessage';

const help = `Usage: telecmi-notifier <command> [options]

Commands:
  serve       run the webhook receiver and call pipeline headless
  calls       print the saved calls as JSON
  simulate    send realistic TeleCMI events to a webhook URL
  team        set up a team's MQTT broker and the agents who may connect (init, add-agent...)
  listen      join a team server as one agent, headless (the desktop app's team mode)

Run "telecmi-notifier <command> --help" for a command's options.`;

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

async function main(argv: string[]): Promise<void> {
  const [name, ...args] = argv;
  const load = name === undefined ? undefined : commands[name];
  if (!load) {
    if (name !== undefined && !['help', '--help', '-h'].includes(name)) {
      throw new UsageError(`unknown command "${name}"\n\n${help}`);
    }
    process.stdout.write(`${help}\n`);
    return;
  }
  const command = await load();
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(`${command.help}\n`);
    return;
  }
  await command.run(args);
}

// One line for the user, never a stack: wrong usage exits 2, anything else 1.
main(process.argv.slice(2)).catch((error: unknown) => {
  const usage =
    error instanceof UsageError || (error instanceof Error && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS'));
  console.error(`telecmi-notifier: ${errorMessage(error)}`);
  process.exitCode = usage ? 2 : 1;
});

import { callsCommand, callsHelp } from './callsCommand';
import { listenCommand, listenHelp } from './listenCommand';
import { serveCommand, serveHelp } from './serveCommand';
import { simulateCommand, simulateHelp } from './simulateCommand';
import { teamCommand, teamHelp } from './teamCommand';
import { UsageError } from './usage';

const help = `Usage: telecmi-notifier <command> [options]

Commands:
  serve       run the webhook receiver and call pipeline headless
  calls       print the saved calls as JSON
  simulate    send realistic TeleCMI events to a webhook URL
  team        set up a team's MQTT broker and the agents who may connect (init, add-agent...)
  listen      join a team server as one agent, headless (the desktop app's team mode)

Run "telecmi-notifier <command> --help" for a command's options.`;

const commands: Record<string, { run: (args: string[]) => unknown; help: string }> = {
  serve: { run: serveCommand, help: serveHelp },
  calls: { run: callsCommand, help: callsHelp },
  simulate: { run: simulateCommand, help: simulateHelp },
  team: { run: teamCommand, help: teamHelp },
  listen: { run: listenCommand, help: listenHelp },
};

async function main(argv: string[]): Promise<void> {
  const [name, ...args] = argv;
  const command = name === undefined ? undefined : commands[name];
  if (!command) {
    if (name !== undefined && !['help', '--help', '-h'].includes(name)) {
      throw new UsageError(`unknown command "${name}"\n\n${help}`);
    }
    process.stdout.write(`${help}\n`);
    return;
  }
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(`${command.help}\n`);
    return;
  }
  await command.run(args);
}

// One line for the user, never a stack: wrong usage exits 2, anything else 1.
main(process.argv.slice(2)).catch((error: unknown) => {
  const usage = error instanceof UsageError || (error instanceof Error && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS'));
  console.error(`telecmi-notifier: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = usage ? 2 : 1;
});

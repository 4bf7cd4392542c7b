import { parseArgs } from 'node:util';
import { z } from 'zod';
import { createCallHost } from '../core/host/callHost';
import { settingsSchema } from '../core/settings/settingsSchema';
import { decodeJoinCode } from '../core/team/joinCode';
import { startTeamSubscriber } from '../core/team/desktop/teamSubscriber';
import { createCliLogger, logLevels } from './cliLogger';
import { contactsFromOption, contactsHelp, contactsOptions } from './contactsOption';
import { defaultDataDir, openHistory, privateDataDir, savedClientId } from './dataDir';
import { catchStopSignals, stopOnSignal } from './stopSignals';
import { createTerminalNotifier } from './terminalNotifier';
import { UsageError, validateOptions } from './usage';
import { printLine } from './jsonLines';

export const listenHelp = `Usage: telecmi-notifier listen --join-code-env NAME [options]

Joins a team server's broker as one agent (with the join code from "team add-agent", read from
the environment variable NAME) and runs the same call pipeline as the app: one JSON line per
notification on stdout, connection changes as {"type":"connection",...}, history in the data
folder. Calls that arrive late (after sleep) are recorded and summed up once, never shown ringing.

  --join-code-env NAME  the environment variable holding the join code
  --data-dir D          history and this desktop's client id (default ${defaultDataDir})
  --max-calls N         calls kept in history (default 1000)
  --ring-window S       a ringing call that reaches this desktop more than S seconds late is
                        recorded and summed up, not shown (default 45)
  --log-level L         error, warn, info (default) or debug
${contactsHelp(24)}
  Where the team server sends names too, these contacts win.`;

const optionsSchema = z.object({
  joinCodeEnv: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be the name of an environment variable'),
  dataDir: z.string().min(1).default(defaultDataDir),
  maxCalls: z.coerce.number().pipe(settingsSchema.shape.maxCalls.unwrap()).default(1000),
  logLevel: z.enum(logLevels).default('info'),
  ringWindowSeconds: z.coerce.number().min(1).max(600).default(45),
});

export async function listenCommand(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      'join-code-env': { type: 'string' },
      'data-dir': { type: 'string' },
      'max-calls': { type: 'string' },
      'log-level': { type: 'string' },
      'ring-window': { type: 'string' },
      ...contactsOptions,
    },
  });
  const options = validateOptions(
    optionsSchema,
    {
      joinCodeEnv: values['join-code-env'],
      dataDir: values['data-dir'],
      maxCalls: values['max-calls'],
      logLevel: values['log-level'],
      ringWindowSeconds: values['ring-window'],
    },
    { ringWindowSeconds: '--ring-window' },
  );
  const decoded = decodeJoinCode(process.env[options.joinCodeEnv] ?? '');
  if (!decoded.ok) throw new UsageError(`environment variable ${options.joinCodeEnv}: ${decoded.reason}`);
  const log = createCliLogger(options.logLevel);
  catchStopSignals();
  const dataDir = privateDataDir(options.dataDir);
  const contacts = await contactsFromOption(values.contacts, values['default-country'], log);
  const host = createCallHost({
    // This desktop's legs are its agent's: a colleague's (on the team's topics) only tell how a call ended.
    settings: { agents: [decoded.code.agent], teams: [], maxCalls: options.maxCalls },
    notifier: createTerminalNotifier(),
    database: openHistory(dataDir, log),
    log,
    namesFor: contacts?.namesFor,
  });
  const { code } = decoded;
  const subscriber = startTeamSubscriber({
    code,
    clientId: savedClientId(dataDir, log),
    log,
    ringWindowMs: options.ringWindowSeconds * 1000,
    onEvent: (event, options) => void host.ingest(event, options),
    onState: (state) => printLine({ type: 'connection', agent: code.agent, broker: new URL(code.url).host, ...state }),
  });
  stopOnSignal(async () => {
    await subscriber.stop().catch(() => undefined);
    const { historySaved: saved } = host.stop();
    if (saved) log.info('stopped; history saved');
    else log.error('stopped; the call history could NOT be saved');
    return saved ? 0 : 1;
  }, log);
}

import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { maskToken } from '../core/receiver/requestLog';
import { settingsSchema } from '../core/settings/settingsSchema';
import { createCliLogger, logLevels } from './cliLogger';
import { startTunnel } from './tunnelOption';
import { describeFsError } from '../core/storage/fsErrors';
import { checkContactsOptions, contactsFromOption, contactsHelp, contactsOptions } from './contactsOption';
import { stopWarmHistoryThread } from '../core/history/worker/historyThread';
import { beginOpeningHistory, defaultDataDir, privateDataDir, savedToken } from './dataDir';
import { catchStopSignals, stopOnSignal } from './stopSignals';
import { createTerminalNotifier } from './terminalNotifier';
import type { TeamServeOptions } from './teamServe';
import { EnvironmentError, UsageError, validateOptions } from './usage';
import { printLine } from './jsonLines';

const fields = settingsSchema.shape;
const environmentVariableName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be the name of an environment variable');
const defaults = { port: fields.port.parse(undefined), maxCalls: fields.maxCalls.parse(undefined) };

/** The flags, checked with the same schema as the app's settings (plus port 0: any free port). */
const serveOptionsSchema = z.object({
  host: fields.host,
  port: z.coerce.number().pipe(z.union([z.literal(0), fields.port.unwrap()])),
  token: fields.token.unwrap().optional(),
  tokenEnv: environmentVariableName.optional(),
  dataDir: z.string().min(1).default(defaultDataDir),
  agents: fields.agents,
  teams: fields.teams,
  maxCalls: z.coerce.number().pipe(fields.maxCalls.unwrap()),
  logLevel: z.enum(logLevels).default('info'),
  ngrokAuthtokenEnv: environmentVariableName.optional(),
  ngrokDomain: fields.ngrokDomain,
  teamDir: z.string().min(1).optional(),
  mqttUrl: z
    .string()
    .regex(/^mqtts?:\/\/\S+$/, 'must be an mqtt:// or mqtts:// address')
    .optional(),
  mqttUsername: z.string().min(1).optional(),
  mqttPasswordEnv: environmentVariableName.optional(),
  mqttCa: z.string().min(1).optional(),
});

export const serveHelp = `Usage: telecmi-notifier serve [options]

Runs the webhook receiver and call pipeline without Electron. Prints the webhook URL, then one
JSON line per notification on stdout; logs go to stderr. Ctrl+C stops it after saving history.

  --host H         address to listen on (default 127.0.0.1; a tunnel reaches it there)
  --port P         port (default ${defaults.port}; 0 picks any free port)
  --token-env NAME webhook token from environment variable NAME (default: generated once and
                   kept in the data folder)
  --token T        the same, as a value: visible to every local user in the process list
  --data-dir D     where history and the token are kept (default ${defaultDataDir})
  --user U         notify for this agent only (204 or 204_2222223); repeatable
  --team T         notify for this team only (Sales or Sales_2222223); repeatable
  --max-calls N    calls kept in history (default ${defaults.maxCalls})
  --log-level L    error, warn, info or debug (default info)
  --ngrok-authtoken-env NAME
                   open a public ngrok tunnel with the authtoken in environment variable NAME
                   (never pass the token itself on the command line)
  --ngrok-domain D a reserved ngrok domain; without one the URL changes each run
${contactsHelp(19)}

Team mode (one receiver for a call centre; see "telecmi-notifier team"):
  --team-dir D     publish every event through the broker of the team folder D (made by
                   "team init") instead of showing it here; events wait in a spool on disk
                   (in --data-dir) while the broker is unreachable
  --mqtt-url U --mqtt-username N --mqtt-password-env NAME [--mqtt-ca F]
                   the same with another MQTT 5 broker (mqtts:// with F, a private CA)
  --user, --team and --max-calls do not apply in team mode; --ngrok-authtoken-env does.
  With --contacts, the callers' names go out with each call: desktops show them without
  importing anything (their own contacts win where both match).`;

export async function serveCommand(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      host: { type: 'string' },
      port: { type: 'string' },
      token: { type: 'string' },
      'token-env': { type: 'string' },
      'data-dir': { type: 'string' },
      user: { type: 'string', multiple: true },
      team: { type: 'string', multiple: true },
      'max-calls': { type: 'string' },
      'log-level': { type: 'string' },
      'ngrok-authtoken-env': { type: 'string' },
      'ngrok-domain': { type: 'string' },
      'team-dir': { type: 'string' },
      'mqtt-url': { type: 'string' },
      'mqtt-username': { type: 'string' },
      'mqtt-password-env': { type: 'string' },
      'mqtt-ca': { type: 'string' },
      ...contactsOptions,
    },
  });
  const options = validateOptions(
    serveOptionsSchema,
    {
      host: values.host,
      port: values.port ?? defaults.port,
      token: values.token,
      tokenEnv: values['token-env'],
      dataDir: values['data-dir'],
      agents: values.user,
      teams: values.team,
      maxCalls: values['max-calls'] ?? defaults.maxCalls,
      logLevel: values['log-level'],
      ngrokAuthtokenEnv: values['ngrok-authtoken-env'],
      ngrokDomain: values['ngrok-domain'],
      teamDir: values['team-dir'],
      mqttUrl: values['mqtt-url'],
      mqttUsername: values['mqtt-username'],
      mqttPasswordEnv: values['mqtt-password-env'],
      mqttCa: values['mqtt-ca'],
    },
    { agents: '--user', teams: '--team' },
  );
  catchStopSignals();
  const authtoken = secretFromEnvironment(options.ngrokAuthtokenEnv, 'the ngrok authtoken');
  const log = createCliLogger(options.logLevel);
  const dataDir = privateDataDir(options.dataDir);
  const token = options.token ?? tokenFromEnvironment(options.tokenEnv) ?? savedToken(dataDir, log);
  const broker = teamBroker(options);
  if (broker) {
    for (const flag of ['user', 'team', 'max-calls'] as const) {
      if (values[flag] !== undefined)
        throw new UsageError(
          `--${flag} does not apply with a team broker: each desktop rings for its own agent, and keeps its own history`,
        );
    }
    // A team server keeps no history of its own.
    stopWarmHistoryThread();
    const { serveTeam } = await import('./teamServe');
    const contacts = await contactsFromOption(values.contacts, values['default-country'], { dataDir, log });
    const tunnel = authtoken && { authtoken, domain: options.ngrokDomain };
    return stopOnSignal(await serveTeam({ host: options.host, port: options.port, token, dataDir, log, broker, contacts, tunnel }), log);
  }
  checkContactsOptions(values.contacts, values['default-country']);
  // Opened in its own thread while this one reads the contacts and loads the receiver: start-up
  // takes the longer of the two, not their sum.
  const history = beginOpeningHistory(dataDir, log);
  const [contacts, { createCallHost }, { createHttpTransport }] = await Promise.all([
    contactsFromOption(values.contacts, values['default-country'], { dataDir, log }),
    import('../core/host/callHost'),
    import('../core/receiver/httpTransport'),
  ]).catch((error: unknown) => {
    history.abandon();
    throw error;
  });
  const host = createCallHost({
    settings: options,
    notifier: createTerminalNotifier(),
    database: history.opened(),
    log,
    namesFor: contacts?.namesFor,
  });
  const receiver = createHttpTransport({ settings: { ...options, token }, ingest: host.ingest, log });
  const { state, webhookUrl, origin, error } = await receiver.start();
  if (state !== 'listening' || !webhookUrl) {
    // The history is closed first: its lock must not outlive this run.
    host.stop();
    throw new EnvironmentError(error ?? 'the receiver did not start');
  }
  printLine({ type: 'listening', webhookUrl, healthUrl: `${origin}/healthz` });
  log.info(
    `webhook URL printed on stdout (${maskToken(new URL(webhookUrl).pathname)}); expose it with a tunnel and give TeleCMI the public address`,
  );
  const tunnel = authtoken
    ? await startTunnel({ authtoken, domain: options.ngrokDomain, localPort: Number(new URL(origin ?? '').port), token, log })
    : undefined;
  stopOnSignal(async () => {
    await tunnel?.stop();
    await receiver.stop();
    const { historySaved } = host.stop();
    if (historySaved) log.info('stopped; history saved');
    else log.error('stopped; the call history could NOT be saved (see the errors above)');
    return historySaved ? 0 : 1;
  }, log);
}

function teamBroker(options: z.output<typeof serveOptionsSchema>): TeamServeOptions['broker'] | undefined {
  if (options.teamDir && (options.mqttUrl || options.mqttUsername || options.mqttPasswordEnv || options.mqttCa)) {
    throw new UsageError('--team-dir uses its own broker: give it, or --mqtt-url with its options, not both');
  }
  if (options.teamDir) return { teamDir: resolve(options.teamDir) };
  if (!options.mqttUrl) {
    if (options.mqttUsername || options.mqttPasswordEnv || options.mqttCa)
      throw new UsageError('--mqtt-username, --mqtt-password-env and --mqtt-ca go with --mqtt-url');
    return undefined;
  }
  if (!options.mqttUsername || !options.mqttPasswordEnv) throw new UsageError('--mqtt-url needs --mqtt-username and --mqtt-password-env');
  return {
    url: options.mqttUrl,
    username: options.mqttUsername,
    password: secretFromEnvironment(options.mqttPasswordEnv, 'the broker password') ?? '',
    ...(options.mqttCa && { ca: readCa(options.mqttCa) }),
  };
}

/** A private CA's certificate for an mqtts:// broker. */
function readCa(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new UsageError(`--mqtt-ca ${file} cannot be read: ${describeFsError(error)}`);
  }
}

/** A secret named by `--...-env NAME`: read from the environment, so it stays out of process lists. */
function secretFromEnvironment(name: string | undefined, what: string): string | undefined {
  if (!name) return undefined;
  const value = process.env[name];
  if (!value) throw new UsageError(`environment variable ${name} is empty or not set: put ${what} in it`);
  return value;
}

function tokenFromEnvironment(name: string | undefined): string | undefined {
  const value = secretFromEnvironment(name, 'the webhook token');
  if (value === undefined) return undefined;
  const token = fields.token.unwrap().safeParse(value);
  if (!token.success)
    throw new UsageError(`environment variable ${name} does not hold a valid webhook token: ${token.error.issues[0]?.message}`);
  return token.data;
}

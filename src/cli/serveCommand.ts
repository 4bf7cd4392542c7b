import { parseArgs } from 'node:util';
import { webhookUrlFor } from '../core/receiver/webhookUrl';
import { z } from 'zod';
import { createCallService } from '../core/callService';
import { maskToken } from '../core/receiver/requestLog';
import { settingsSchema } from '../core/settings/settingsSchema';
import type { Logger } from '../core/log/logger';
import { createNgrokDriver } from '../core/tunnel/ngrokDriver';
import { createTunnelManager } from '../core/tunnel/tunnelManager';
import { createCliLogger, logLevels } from './cliLogger';
import { defaultDataDir, openHistory, savedToken } from './dataDir';
import { createTerminalNotifier } from './terminalNotifier';
import { UsageError, validateOptions } from './usage';

const fields = settingsSchema.shape;
const defaults = { port: fields.port.parse(undefined), maxCalls: fields.maxCalls.parse(undefined) };

/** The flags, checked with the same schema as the app's settings (plus port 0: any free port). */
const serveOptionsSchema = z.object({
  host: fields.host,
  port: z.coerce.number().pipe(z.union([z.literal(0), fields.port.unwrap()])),
  token: fields.token.unwrap().optional(),
  dataDir: z.string().min(1).default(defaultDataDir),
  agents: fields.agents,
  teams: fields.teams,
  maxCalls: z.coerce.number().pipe(fields.maxCalls.unwrap()),
  logLevel: z.enum(logLevels).default('info'),
  ngrokAuthtokenEnv: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be the name of an environment variable').optional(),
  ngrokDomain: fields.ngrokDomain,
});

export const serveHelp = `Usage: telecmi-notifier serve [options]

Runs the webhook receiver and call pipeline without Electron. Prints the webhook URL, then one
JSON line per notification on stdout; logs go to stderr. Ctrl+C stops it after saving history.

  --host H         address to listen on (default 127.0.0.1; a tunnel reaches it there)
  --port P         port (default ${defaults.port}; 0 picks any free port)
  --token T        webhook token (default: generated once and kept in the data folder)
  --data-dir D     where history and the token are kept (default ${defaultDataDir})
  --user U         notify for this agent only (204 or 204_2222223); repeatable
  --team T         notify for this team only (Sales or Sales_2222223); repeatable
  --max-calls N    calls kept in history (default ${defaults.maxCalls})
  --log-level L    error, warn, info or debug (default info)
  --ngrok-authtoken-env NAME
                   open a public ngrok tunnel with the authtoken in environment variable NAME
                   (never pass the token itself on the command line)
  --ngrok-domain D a reserved ngrok domain; without one the URL changes each run`;

export async function serveCommand(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      host: { type: 'string' },
      port: { type: 'string' },
      token: { type: 'string' },
      'data-dir': { type: 'string' },
      user: { type: 'string', multiple: true },
      team: { type: 'string', multiple: true },
      'max-calls': { type: 'string' },
      'log-level': { type: 'string' },
      'ngrok-authtoken-env': { type: 'string' },
      'ngrok-domain': { type: 'string' },
    },
  });
  const options = validateOptions(serveOptionsSchema, {
    host: values.host,
    port: values.port ?? defaults.port,
    token: values.token,
    dataDir: values['data-dir'],
    agents: values.user,
    teams: values.team,
    maxCalls: values['max-calls'] ?? defaults.maxCalls,
    logLevel: values['log-level'],
    ngrokAuthtokenEnv: values['ngrok-authtoken-env'],
    ngrokDomain: values['ngrok-domain'],
  });
  const authtoken = options.ngrokAuthtokenEnv && process.env[options.ngrokAuthtokenEnv];
  if (options.ngrokAuthtokenEnv && !authtoken) throw new UsageError(`environment variable ${options.ngrokAuthtokenEnv} is empty or not set: put the ngrok authtoken in it`);
  const log = createCliLogger(options.logLevel);
  const token = options.token ?? savedToken(options.dataDir);
  const service = createCallService({
    settings: { ...options, token },
    notifier: createTerminalNotifier((line) => process.stdout.write(line)),
    historyStore: openHistory(options.dataDir, log),
    log,
  });
  const { state, webhookUrl, origin, error } = await service.start();
  if (state !== 'listening' || !webhookUrl) throw new UsageError(error ?? 'the receiver did not start');
  process.stdout.write(`${JSON.stringify({ type: 'listening', webhookUrl, healthUrl: `${origin}/healthz` })}\n`);
  log.info(`webhook URL printed on stdout (${maskToken(new URL(webhookUrl).pathname)}); expose it with a tunnel and give TeleCMI the public address`);
  const tunnel = authtoken ? await startTunnel({ authtoken, domain: options.ngrokDomain, localPort: Number(new URL(origin ?? '').port), token, log }) : undefined;
  stopOnSignal(async () => {
    await tunnel?.stop();
    await service.stop();
    log.info('stopped; history saved');
  });
}

function stopOnSignal(stop: () => Promise<void>): void {
  const onSignal = (): void => {
    process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
    stop().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', onSignal).on('SIGTERM', onSignal);
}

/** The public tunnel of `--ngrok-authtoken-env`: its states go to stdout as JSON lines. */
async function startTunnel({ authtoken, domain, localPort, token, log }: { authtoken: string; domain: string; localPort: number; token: string; log: Logger }) {
  const print = (line: object): void => void process.stdout.write(`${JSON.stringify(line)}\n`);
  const tunnel = createTunnelManager({
    // TELECMI_NGROK_SERVER_ADDR: another ngrok ingress (a custom one; the tests use a closed port).
    driver: createNgrokDriver({ serverAddr: process.env.TELECMI_NGROK_SERVER_ADDR }),
    log,
    onStatus: (status) =>
      print({ type: 'tunnel', ...status, ...(status.state === 'online' && { publicWebhookUrl: webhookUrlFor(status.url, token) }) }),
    onUrlChanged: () => undefined,
  });
  await tunnel.start({ localPort, authtoken, ...(domain && { domain }) });
  return tunnel;
}

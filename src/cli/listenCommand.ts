import { existsSync, readFileSync, rmSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { version } from '../../package.json';
import { createCallHost } from '../core/host/callHost';
import type { Logger } from '../core/log/logger';
import { settingsSchema } from '../core/settings/settingsSchema';
import { writeFileAtomic } from '../core/storage/atomicFile';
import { deviceCredentialsSchema, type DeviceCredentials } from '../core/team/desktop/enrol';
import { createTeamConnection } from '../core/team/desktop/teamConnection';
import { decodeJoinCode } from '../core/team/joinCode';
import { createCliLogger, logLevels } from './cliLogger';
import { checkContactsOptions, contactsFromOption, contactsHelp, contactsOptions } from './contactsOption';
import { beginOpeningHistory, defaultDataDir, privateDataDir } from './dataDir';
import { catchStopSignals, stopOnSignal } from './stopSignals';
import { createTerminalNotifier } from './terminalNotifier';
import { UsageError, validateOptions } from './usage';

export const listenHelp = `Usage: telecmi-notifier listen --join-code-env NAME [options]

Joins a team server's broker as one agent (with the join code from "team add-agent" or "team
invite", read from the environment variable NAME; it is traded once for this desktop's own
credentials, kept in the data folder, so the same code works again for this folder only) and runs the same call pipeline as the app: one JSON line per
notification on stdout, connection changes as {"type":"connection",...}, history in the data
folder. Calls that arrive late (after sleep) are recorded and summed up once, never shown ringing.

  --join-code-env NAME  the environment variable holding the join code
  --data-dir D          history and this desktop's team credentials (default
                        ${defaultDataDir}/listen-<agent>: one folder per agent)
  --max-calls N         calls kept in history (default 1000)
  --ring-window S       a ringing call that reaches this desktop more than S seconds late is
                        recorded and summed up, not shown (default 45)
  --log-level L         error, warn, info (default) or debug
${contactsHelp(24)}
  Where the team server sends names too, these contacts win.`;

const optionsSchema = z.object({
  joinCodeEnv: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be the name of an environment variable'),
  dataDir: z.string().min(1).optional(),
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
  const { code } = decoded;
  const log = createCliLogger(options.logLevel);
  catchStopSignals();
  // Each agent's desktop keeps its own folder: a second listen on one machine, or serve, never shares it.
  const dataDir = privateDataDir(options.dataDir ?? join(defaultDataDir, `listen-${code.agent}`));
  checkContactsOptions(values.contacts, values['default-country']);
  // Opened in its own thread while this one reads the contacts: start-up takes the longer of the two.
  const history = beginOpeningHistory(dataDir, log);
  const contacts = await contactsFromOption(values.contacts, values['default-country'], { dataDir, log }).catch((error: unknown) => {
    history.abandon();
    throw error;
  });
  const host = createCallHost({
    // This desktop's legs are its agent's: a colleague's (on the team's topics) only tell how a call ended.
    settings: { agents: [code.agent], teams: [], maxCalls: options.maxCalls },
    notifier: createTerminalNotifier(),
    database: history.opened(),
    log,
    namesFor: contacts?.namesFor,
  });
  let said = '';
  const team = createTeamConnection({
    log,
    devices: deviceFile(join(dataDir, 'team-device.json'), log),
    about: { version, label: hostname() },
    ringWindowMs: options.ringWindowSeconds * 1000,
    onEvent: (event, delivery) => void host.ingest(event, delivery),
    // The team will not let this desktop in any more: waiting would only hide it.
    onGiveUp: (reason) => {
      log.error(reason);
      void stop().then(() => process.exit(1));
    },
    onStatus: () => {
      const line = JSON.stringify({ type: 'connection', agent: code.agent, broker: new URL(code.url).host, ...team.status() });
      if (line !== said) process.stdout.write(`${(said = line)}\n`);
    },
  });
  const stop = async (): Promise<number> => {
    await team.stop().catch(() => undefined);
    const { historySaved: saved } = host.stop();
    if (saved) log.info('stopped; history saved');
    else log.error('stopped; the call history could NOT be saved');
    return saved ? 0 : 1;
  };
  await team.sync({ mode: 'team', joinCode: process.env[options.joinCodeEnv] });
  stopOnSignal(stop, log);
}

/** `listen`'s own team credentials, in its data folder, readable by its user only. */
function deviceFile(file: string, log: Logger) {
  return {
    get(): DeviceCredentials | undefined {
      if (!existsSync(file)) return undefined;
      try {
        return deviceCredentialsSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
      } catch {
        log.warn('the saved team credentials do not read: this desktop joins again with its join code', { file });
        return undefined;
      }
    },
    set: (device: DeviceCredentials): void => writeFileAtomic(file, JSON.stringify(device)),
    clear: (): void => rmSync(file, { force: true }),
  };
}

import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { errorMessage } from '../core/log/errorMessage';
import { describeFsError } from '../core/storage/fsErrors';
import { checkCertificates } from '../core/team/server/certificates';
import { NotTheTeamsBroker } from '../core/team/server/dynsecControl';
import { addAgent, initTeam, inviteAgent, removeAgent, revokeDevice, TeamRefusal } from '../core/team/server/teamAdmin';
import { listDevices, teamStatus } from '../core/team/server/teamDevices';
import { readTeam, teamPaths, type TeamFile } from '../core/team/server/teamFile';
import { agentDisplayNameSchema, teamNameSchema } from '../core/team/teamNames';
import { createCliLogger } from './cliLogger';
import { printLine } from './jsonLines';
import { operatorJoinCode } from './teamCode';
import { checkPortFree } from './ports';
import { EnvironmentError, UsageError, validateOptions } from './usage';

export const defaultMqttPort = 18830;
export const defaultWsPort = 8884;

export const teamHelp = `Usage: telecmi-notifier team <command> --dir D [options]

Sets up the team's MQTT 5 broker (Mosquitto 2, with its dynamic security plugin) and who may
connect to it. Everything is kept in the folder D, readable by you only; each command prints one
JSON line. Agents, join codes and desktops change while the broker runs: no restart.

  team init --dir D --public-host H --tls-cert F --tls-key F [--tls-ca F]
            [--mqtt-port P] [--ws-port W] [--app-id N] [--insecure] [--dynsec-plugin F]
      makes a new team in an empty folder: the broker's config (MQTT on 127.0.0.1:P for the
      receiver, default ${defaultMqttPort}; TLS WebSockets on W for the desktops, default
      ${defaultWsPort}), its users and the receiver's credentials. --tls-ca for a private CA
      (join codes then carry it). Plain ws:// only with H on loopback, or with --insecure.
      --app-id completes short agent ids (--agent 204).
  team add-agent --dir D --agent 204_2222223 [--team Sales_2222223]... [--name "Asha Rao"]
      adds an agent (or changes its teams and name) and prints a join code for one desktop:
      single use, valid 7 days; --name is how colleagues see the agent ("Answered by Asha Rao")
  team invite --dir D --agent 204_2222223
      another join code, for the agent's next desktop
  team devices --dir D [--agent 204_2222223]
      the desktops let in: online now or last seen, app version
  team status --dir D
      each agent with their desktops: how many online, last seen, app version
  team revoke --dir D --device ID
      cuts one desktop off at once
  team remove-agent --dir D --agent 204_2222223
      removes an agent: its desktops are cut off at once
  team list --dir D
      the agents and their teams (no secrets)
  team code --broker-url U --agent A --username N --password-env V [--team T]... [--tls-ca F]
      a join code for a broker you run yourself (EMQX, HiveMQ, an ejabberd cluster), whose users
      and rights you manage: it carries the user N and the password from the environment variable
      V; the desktop subscribes to A's topic and each --team's (see docs/deployment.md)`;

const port = z.coerce.number().int().min(1).max(65535);
const host = z.string().regex(/^[A-Za-z0-9.-]+$/, 'must be a host name or an IPv4 address');

/** Every output of an insecure team says so. */
const warningOf = (team: TeamFile): { warning?: string } =>
  team.insecure
    ? { warning: `desktops reach ${team.publicHost} over plain ws://: passwords and callers' numbers cross the network in clear` }
    : {};

export async function teamCommand(args: string[]): Promise<void> {
  const [action, ...rest] = args;
  const { values } = parseArgs({
    args: rest,
    options: {
      dir: { type: 'string' },
      'mqtt-port': { type: 'string' },
      'ws-port': { type: 'string' },
      'public-host': { type: 'string' },
      'tls-cert': { type: 'string' },
      'tls-key': { type: 'string' },
      'tls-ca': { type: 'string' },
      insecure: { type: 'boolean' },
      'app-id': { type: 'string' },
      'dynsec-plugin': { type: 'string' },
      agent: { type: 'string' },
      team: { type: 'string', multiple: true },
      name: { type: 'string' },
      device: { type: 'string' },
      'broker-url': { type: 'string' },
      username: { type: 'string' },
      'password-env': { type: 'string' },
    },
  });
  // For a broker the operator runs: no team folder.
  if (action === 'code') {
    const line = operatorJoinCode(values);
    printLine(line);
    if (typeof line.warning === 'string') createCliLogger('warn').warn(line.warning);
    return;
  }
  if (!values.dir) throw new UsageError(`--dir is required\n\n${teamHelp}`);
  const dir = resolve(values.dir);
  const log = createCliLogger('warn');
  try {
    const line = await run(action, dir, values, log);
    printLine(line);
    if (typeof line.warning === 'string') log.warn(line.warning);
  } catch (error) {
    if (error instanceof UsageError || error instanceof EnvironmentError) throw error;
    if (error instanceof TeamRefusal) throw new UsageError(error.message);
    if (error instanceof NotTheTeamsBroker) {
      throw new EnvironmentError(`the broker on 127.0.0.1 is not this team's (${error.message}): is another Mosquitto holding its port?`);
    }
    throw new EnvironmentError(describeFsError(error) || errorMessage(error));
  }
}

type Values = Record<string, string | boolean | string[] | undefined>;

async function run(
  action: string | undefined,
  dir: string,
  values: Values,
  log: ReturnType<typeof createCliLogger>,
): Promise<Record<string, unknown>> {
  switch (action) {
    case 'init':
      return init(dir, values);
    case 'add-agent': {
      const { agent, teams, name } = validateOptions(
        z.object({ agent: z.string().min(1), teams: z.array(teamNameSchema).default([]), name: agentDisplayNameSchema.optional() }),
        { agent: values.agent, teams: values.team, name: values.name },
        { teams: '--team' },
      );
      const { result, applied } = await addAgent(dir, log, { agent, teams, name });
      return { type: 'agent', ...result, applied, ...warningOf(readTeam(dir)) };
    }
    case 'invite': {
      const { agent } = validateOptions(z.object({ agent: z.string().min(1) }), { agent: values.agent });
      const { result, applied } = await inviteAgent(dir, log, { agent });
      return { type: 'invite', ...result, applied, ...warningOf(readTeam(dir)) };
    }
    case 'remove-agent': {
      const { agent } = validateOptions(z.object({ agent: z.string().min(1) }), { agent: values.agent });
      const { result, applied } = await removeAgent(dir, log, { agent });
      return { type: 'agent-removed', ...result, applied, ...warningOf(readTeam(dir)) };
    }
    case 'revoke': {
      const { device } = validateOptions(z.object({ device: z.string().min(1) }), { device: values.device });
      const { result, applied } = await revokeDevice(dir, log, { device });
      return { type: 'device-revoked', ...result, applied, ...warningOf(readTeam(dir)) };
    }
    case 'devices':
      return {
        type: 'devices',
        devices: await listDevices(dir, log, typeof values.agent === 'string' ? values.agent : undefined),
        ...warningOf(readTeam(dir)),
      };
    case 'status':
      return { type: 'status', ...(await teamStatus(dir, log)), ...warningOf(readTeam(dir)) };
    case 'list': {
      const team = readTeam(dir);
      return {
        type: 'agents',
        agents: team.agents.map(({ agent, name, teams, addedAt }) => ({
          agent,
          ...(name && { name }),
          teams,
          addedAt,
          devices: team.devices.filter((device) => device.agent === agent).length,
        })),
        ...warningOf(team),
      };
    }
    default:
      throw new UsageError(`unknown team command "${action ?? ''}"\n\n${teamHelp}`);
  }
}

async function init(dir: string, values: Values): Promise<Record<string, unknown>> {
  const options = validateOptions(
    z.object({
      publicHost: host.default('127.0.0.1'),
      mqttPort: port.default(defaultMqttPort),
      wsPort: port.default(defaultWsPort),
      tlsCert: z.string().optional(),
      tlsKey: z.string().optional(),
      tlsCa: z.string().optional(),
      insecure: z.boolean().default(false),
      appId: z.coerce.number().int().positive().optional(),
      dynsecPlugin: z.string().optional(),
    }),
    {
      publicHost: values['public-host'],
      mqttPort: values['mqtt-port'],
      wsPort: values['ws-port'],
      tlsCert: values['tls-cert'],
      tlsKey: values['tls-key'],
      tlsCa: values['tls-ca'],
      insecure: values.insecure,
      appId: values['app-id'],
      dynsecPlugin: values['dynsec-plugin'],
    },
  );
  if (Boolean(options.tlsCert) !== Boolean(options.tlsKey)) throw new UsageError('--tls-cert and --tls-key go together');
  if (options.insecure && options.tlsCert) throw new UsageError('--insecure is for a team without TLS: leave it out with --tls-cert');
  if (options.mqttPort === options.wsPort) throw new UsageError(`--mqtt-port and --ws-port must differ (both ${options.mqttPort})`);
  if (options.tlsCa && !options.tlsCert) throw new UsageError('--tls-ca goes with --tls-cert and --tls-key');
  const tls =
    options.tlsCert && options.tlsKey
      ? { cert: resolve(options.tlsCert), key: resolve(options.tlsKey), ...(options.tlsCa && { ca: resolve(options.tlsCa) }) }
      : undefined;
  if (tls) checkCertificates(tls, options.publicHost);
  await checkPortFree('127.0.0.1', options.mqttPort, '--mqtt-port');
  await checkPortFree('127.0.0.1', options.wsPort, '--ws-port');
  const team = initTeam(dir, {
    publicHost: options.publicHost,
    mqttPort: options.mqttPort,
    wsPort: options.wsPort,
    ...(tls && { tls }),
    insecure: options.insecure,
    ...(options.appId && { appId: options.appId }),
    ...(options.dynsecPlugin && { pluginPath: resolve(options.dynsecPlugin) }),
  });
  return {
    type: 'team',
    dir,
    mqttUrl: `mqtt://127.0.0.1:${team.mqttPort}`,
    webSocketUrl: `${team.tls ? 'wss' : 'ws'}://${team.publicHost}:${team.wsPort}`,
    startBroker: `mosquitto -c ${teamPaths(dir).conf}`,
    ...(team.brokerUser && { brokerRunsAs: team.brokerUser }),
    ...warningOf(team),
  };
}

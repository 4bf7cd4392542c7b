import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { addAgent, initTeam, readTeam, removeAgent, startBrokerCommand, writeTeam } from '../core/team/server/teamDirectory';
import { agentDisplayNameSchema, agentNameSchema, teamNameSchema } from '../core/team/teamNames';
import { describeFsError } from '../core/storage/fsErrors';
import { EnvironmentError, UsageError, validateOptions } from './usage';
import { printLine } from './jsonLines';

export const teamHelp = `Usage: telecmi-notifier team <init|add-agent|remove-agent|list> --dir D [options]

Sets up the MQTT 5 broker (Mosquitto) that a team server publishes calls through, and who may
connect to it. Everything is kept in the folder D, readable by you only. Each command prints one
JSON line.

  team init --dir D [--mqtt-port P] [--ws-port W] [--public-host H]
      writes mosquitto.conf (MQTT on 127.0.0.1:P for the receiver, default 1883; WebSockets on W
      for the desktops, default 8083), the password and ACL files, and the receiver's credentials
  team add-agent --dir D --agent 204_2222223 [--team Sales_2222223]... [--name "Asha Rao"]
      lets an agent's desktops connect: prints the join code to send them (shown once; run it
      again to issue a new one and revoke the old); --name is how colleagues see them
      ("Answered by Asha Rao")
  team remove-agent --dir D --agent 204_2222223
      revokes an agent
  team list --dir D
      lists the agents and their teams (no secrets)

After add-agent or remove-agent, restart the broker so it reads the new files.`;

const port = z.coerce.number().int().min(1).max(65535);

/** What to run after the files changed. Mosquitto 2.0.11 has crashed on SIGHUP reloads: a restart is safer. */
const applyHint = (dir: string): string => `restart the broker to apply: stop it, then run ${startBrokerCommand(dir)}`;

export function teamCommand(args: string[]): void {
  const [action, ...rest] = args;
  const { values } = parseArgs({
    args: rest,
    options: {
      dir: { type: 'string' },
      'mqtt-port': { type: 'string' },
      'ws-port': { type: 'string' },
      'public-host': { type: 'string' },
      agent: { type: 'string' },
      team: { type: 'string', multiple: true },
      name: { type: 'string' },
    },
  });
  if (!values.dir) throw new UsageError(`--dir is required\n\n${teamHelp}`);
  const dir = resolve(values.dir);
  try {
    run(action, dir, values);
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new EnvironmentError(describeFsError(error));
  }
}

function run(action: string | undefined, dir: string, values: Record<string, string | string[] | undefined>): void {
  switch (action) {
    case 'init': {
      const options = validateOptions(
        z.object({
          mqttPort: port.default(1883),
          wsPort: port.default(8083),
          publicHost: z
            .string()
            .regex(/^[A-Za-z0-9.:[\]-]+$/, 'must be a host name or address')
            .default('127.0.0.1'),
        }),
        { mqttPort: values['mqtt-port'], wsPort: values['ws-port'], publicHost: values['public-host'] },
      );
      const team = initTeam({ dir, ...options });
      return printLine({
        type: 'team',
        dir,
        mqttUrl: `mqtt://127.0.0.1:${team.mqttPort}`,
        webSocketUrl: `ws://${team.publicHost}:${team.wsPort}`,
        startBroker: startBrokerCommand(dir),
      });
    }
    case 'add-agent': {
      const { agent, teams, name } = validateOptions(
        z.object({ agent: agentNameSchema, teams: z.array(teamNameSchema).default([]), name: agentDisplayNameSchema.optional() }),
        { agent: values.agent, teams: values.team, name: values.name },
        { teams: '--team' },
      );
      const { team, joinCode } = addAgent(readTeam(dir), agent, teams, name);
      writeTeam(dir, team);
      return printLine({ type: 'agent', agent, username: agent, teams, joinCode, apply: applyHint(dir) });
    }
    case 'remove-agent': {
      const { agent } = validateOptions(z.object({ agent: teamNameSchema }), { agent: values.agent });
      writeTeam(dir, removeAgent(readTeam(dir), agent));
      return printLine({ type: 'agent-removed', agent, apply: applyHint(dir) });
    }
    case 'list':
      return printLine({
        type: 'agents',
        agents: readTeam(dir).agents.map(({ agent, name, teams, addedAt }) => ({
          agent,
          ...(name && { name }),
          username: agent,
          teams,
          addedAt,
        })),
      });
    default:
      throw new UsageError(`unknown team command "${action ?? ''}"\n\n${teamHelp}`);
  }
}

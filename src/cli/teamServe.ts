import { createHash } from 'node:crypto';
import { statSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import type { MqttClient } from 'mqtt';
import type { ContactBook } from '../core/contacts/contactBook';
import type { Logger } from '../core/log/logger';
import { createHttpTransport } from '../core/receiver/httpTransport';
import { describeFsError } from '../core/storage/fsErrors';
import { controlOver } from '../core/team/server/dynsecControl';
import { openSpool } from '../core/team/server/spool';
import { startTeamAdministration } from '../core/team/server/teamAdministration';
import { readTeam, teamPaths } from '../core/team/server/teamFile';
import { createTeamMetrics } from '../core/team/server/teamMetrics';
import { startTeamPublisher, type BrokerConnection } from '../core/team/server/teamPublisher';
import { printLine } from './jsonLines';
import { startTunnel } from './tunnelOption';
import { EnvironmentError } from './usage';

export interface TeamServeOptions {
  host: string;
  port: number;
  token: string;
  dataDir: string;
  log: Logger;
  /** `--team-dir D`, or `--mqtt-url` with `--mqtt-username` and the password from the environment. */
  broker: { teamDir: string } | BrokerConnection;
  /** The company's contacts: callers' names are published with their calls. */
  contacts: ContactBook | undefined;
  /** `--ngrok-authtoken-env`: the receiver's public tunnel. */
  tunnel?: { authtoken: string; domain: string } | '' | undefined;
}

/** The team folder's broker and what it knows of its agents; undefined for a broker the operator runs. */
function teamOf(broker: TeamServeOptions['broker']) {
  if (!('teamDir' in broker)) return undefined;
  try {
    return { dir: broker.teamDir, team: readTeam(broker.teamDir) };
  } catch (error) {
    throw new EnvironmentError(describeFsError(error));
  }
}

/** The team's agents and their names, read again when team.json changed (agents are added while it runs). */
function teamAgents(dir: string): () => Map<string, string | undefined> {
  let readAt = -1;
  let agents = new Map<string, string | undefined>();
  return () => {
    const changed = statSync(teamPaths(dir).team, { throwIfNoEntry: false })?.mtimeMs ?? 0;
    if (changed !== readAt) {
      readAt = changed;
      agents = new Map(readTeam(dir).agents.map(({ agent, name }) => [agent, name]));
    }
    return agents;
  };
}

/** This receiver among those serving one team: the same across its restarts (its data folder), another for another one. */
const receiverIdOf = (dataDir: string): string =>
  `${hostname()}-${createHash('sha256').update(resolve(dataDir)).digest('hex').slice(0, 8)}`;

/**
 * `serve` for a whole call centre: the same receiver, with each event published through the
 * team's broker (or spooled on disk while it is away) instead of shown here. With a team folder it
 * also lets desktops in (their join codes) and keeps the broker's users as the folder says.
 */
export async function serveTeam({
  host,
  port,
  token,
  dataDir,
  log,
  broker,
  contacts,
  tunnel,
}: TeamServeOptions): Promise<() => Promise<number>> {
  const folder = teamOf(broker);
  const receiverId = receiverIdOf(dataDir);
  const connection: BrokerConnection = folder
    ? { url: `mqtt://127.0.0.1:${folder.team.mqttPort}`, username: folder.team.receiver.username, password: folder.team.receiver.password }
    : (broker as BrokerConnection);
  const agents = folder ? teamAgents(folder.dir) : () => new Map<string, string | undefined>();
  const publisher = startTeamPublisher({
    broker: connection,
    spool: openSpool(join(dataDir, 'spool.jsonl'), log),
    log,
    receiverId,
    onState: (state) => printLine({ type: 'broker', ...state }),
    namesFor: (event) => contacts?.namesFor(event.from) ?? [],
    agentNameOf: (agent) => agents().get(agent),
    ...(folder && {
      isTeamAgent: (agent: string) => agents().has(agent),
      // Only the team's own broker knows its users: another Mosquitto on the port is never taken for it.
      verify: async (client: MqttClient) =>
        void (await controlOver(client).send([{ command: 'getClient', username: folder.team.receiver.username }])),
    }),
  });
  const administration = folder && startTeamAdministration({ dir: folder.dir, log, receiverId });
  const metrics = createTeamMetrics({
    spooled: publisher.spooled,
    brokerConnected: () => publisher.health().delivering,
    ...(administration && { desktopsOnline: administration.desktopsOnline, brokerDropped: administration.brokerDropped }),
  });
  const receiver = createHttpTransport({
    settings: { host, port, token },
    ingest: metrics.instrument(publisher.ingest),
    metrics,
    health: () => {
      const { delivering, ...rest } = publisher.health();
      return { ok: delivering, ...rest };
    },
    log,
  });
  const { state, webhookUrl, origin, error } = await receiver.start();
  if (state !== 'listening' || !webhookUrl) {
    await Promise.all([publisher.stop(), administration?.stop()]);
    throw new EnvironmentError(error ?? 'the receiver did not start');
  }
  const warning =
    folder?.team.insecure &&
    `desktops reach ${folder.team.publicHost} over plain ws://: passwords and callers' numbers cross the network in clear`;
  printLine({
    type: 'listening',
    webhookUrl,
    healthUrl: `${origin}/healthz`,
    metricsUrl: `${origin}/metrics`,
    mode: 'team',
    ...(warning && { warning }),
  });
  if (warning) log.warn(warning);
  const tunnelling = tunnel ? await startTunnel({ ...tunnel, localPort: Number(new URL(origin ?? '').port), token, log }) : undefined;
  return async () => {
    await tunnelling?.stop();
    await receiver.stop();
    await Promise.all([publisher.stop(), administration?.stop()]);
    const left = publisher.spooled();
    if (left > 0) log.warn('stopped with events still spooled: they are published at the next start', { spooled: left });
    else log.info('stopped; every event was published');
    return 0;
  };
}

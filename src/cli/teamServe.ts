import { join } from 'node:path';
import type { ContactBook } from '../core/contacts/contactBook';
import type { Logger } from '../core/log/logger';
import { openSpool } from '../core/team/server/spool';
import { readTeam } from '../core/team/server/teamDirectory';
import { receiverUsername } from '../core/team/teamNames';
import { startTeamPublisher, type BrokerConnection } from '../core/team/server/teamPublisher';
import { describeFsError } from '../core/storage/fsErrors';
import { createHttpTransport } from '../core/receiver/httpTransport';
import { EnvironmentError } from './usage';
import { printLine } from './jsonLines';

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
}

/** The broker a team folder describes (its loopback MQTT listener, as the receiver's user), and its agents' names. */
function brokerOf(broker: TeamServeOptions['broker']): { connection: BrokerConnection; agentNames: Map<string, string> } {
  if (!('teamDir' in broker)) return { connection: broker, agentNames: new Map() };
  try {
    const team = readTeam(broker.teamDir);
    return {
      connection: { url: `mqtt://127.0.0.1:${team.mqttPort}`, username: receiverUsername, password: team.receiverPassword },
      agentNames: new Map(team.agents.flatMap(({ agent, name }) => (name ? [[agent, name]] : []))),
    };
  } catch (error) {
    throw new EnvironmentError(describeFsError(error));
  }
}

/**
 * `serve` for a whole call centre: the same receiver, with each event published through the
 * team's broker (or spooled on disk while it is away) instead of shown here.
 */
export async function serveTeam({ host, port, token, dataDir, log, broker, contacts }: TeamServeOptions): Promise<() => Promise<number>> {
  const spool = openSpool(join(dataDir, 'spool.jsonl'), log);
  const { connection, agentNames } = brokerOf(broker);
  const publisher = startTeamPublisher({
    broker: connection,
    spool,
    log,
    onState: (state) => printLine({ type: 'broker', ...state }),
    namesFor: (event) => contacts?.namesFor(event.from) ?? [],
    agentNameOf: (agent) => agentNames.get(agent),
  });
  const receiver = createHttpTransport({ settings: { host, port, token }, ingest: publisher.ingest, log });
  const { state, webhookUrl, origin, error } = await receiver.start();
  if (state !== 'listening' || !webhookUrl) {
    await publisher.stop();
    throw new EnvironmentError(error ?? 'the receiver did not start');
  }
  printLine({ type: 'listening', webhookUrl, healthUrl: `${origin}/healthz`, mode: 'team' });
  return async () => {
    await receiver.stop();
    await publisher.stop();
    const left = publisher.spooled();
    if (left > 0) log.warn('stopped with events still spooled: they are published at the next start', { spooled: left });
    else log.info('stopped; every event was published');
    return 0;
  };
}

import { join } from 'node:path';
import type { ContactBook } from '../core/contacts/contactBook';
import type { Logger } from '../core/log/logger';
import { createReceiver } from '../core/receiver/createReceiver';
import { listen } from '../core/receiver/listen';
import { createRequestLog } from '../core/receiver/requestLog';
import { webhookUrlFor } from '../core/receiver/webhookUrl';
import { openSpool } from '../core/team/server/spool';
import { readTeam } from '../core/team/server/teamDirectory';
import { receiverUsername } from '../core/team/teamNames';
import { startTeamPublisher, type BrokerConnection } from '../core/team/server/teamPublisher';
import { describeFsError } from '../core/storage/fsErrors';
import { EnvironmentError, UsageError } from './usage';
import { printLine } from './jsonLines';
import { errorMessage } from '../core/log/errorMessage';

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

/** The broker a team folder describes: its loopback MQTT listener, as the receiver's user. */
function brokerOf(broker: TeamServeOptions['broker']): BrokerConnection {
  if (!('teamDir' in broker)) return broker;
  try {
    const team = readTeam(broker.teamDir);
    return { url: `mqtt://127.0.0.1:${team.mqttPort}`, username: receiverUsername, password: team.receiverPassword };
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
  const publisher = startTeamPublisher({
    broker: brokerOf(broker),
    spool,
    log,
    onState: (state) => printLine({ type: 'broker', ...state }),
    namesFor: (event) => contacts?.namesFor(event.from) ?? [],
  });
  const app = createReceiver({ token, ingest: publisher.ingest, requestLog: createRequestLog(), log });
  let running;
  try {
    running = await listen(app, { host, port });
  } catch (error) {
    await publisher.stop();
    throw new UsageError(errorMessage(error));
  }
  printLine({ type: 'listening', webhookUrl: webhookUrlFor(running.origin, token), healthUrl: `${running.origin}/healthz`, mode: 'team' });
  return async () => {
    await running.close();
    await publisher.stop();
    const left = publisher.spooled();
    if (left > 0) log.warn('stopped with events still spooled: they are published at the next start', { spooled: left });
    else log.info('stopped; every event was published');
    return 0;
  };
}

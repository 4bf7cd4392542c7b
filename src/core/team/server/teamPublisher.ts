import type { MqttClient } from 'mqtt';
import { errorMessage } from '../../log/errorMessage';
import type { Logger } from '../../log/logger';
import { EventRefused } from '../../receiver/createReceiver';
import type { CallEvent } from '../../telecmi/eventSchema';
import { eventKey } from '../../telecmi/parseEvent';
import { createRedeliveryFilter } from '../../telecmi/redeliveryFilter';
import { connectBroker } from '../brokerLink';
import { publishableNames, type ReceiverStatusMessage } from '../teamMessages';
import { teamNameSchema } from '../teamNames';
import { topics } from '../topics';
import { createEventRouter } from './eventRouter';
import { hearPeerReceivers, onPeerPublish } from './peerReceivers';
import type { Spool, SpooledPublish } from './spool';

/**
 * What became of an accepted event: `published` (the broker acknowledged every publish),
 * `spooled` (kept on disk while the broker is away), `duplicate`, or `ignored` (no desktop's concern).
 */
export type PublishOutcome = 'published' | 'spooled' | 'duplicate' | 'ignored';

export interface BrokerConnection {
  url: string;
  username: string;
  password: string;
  /** A private CA's certificate (PEM) for an `mqtts://` broker. */
  ca?: string;
}

export type PublisherState = { state: 'connected'; spooled: number } | { state: 'offline'; spooled: number; reason?: string };

export interface TeamPublisherOptions {
  broker: BrokerConnection;
  spool: Spool;
  log: Logger;
  /** This receiver's name among those serving the team: its status is its own. */
  receiverId: string;
  onState?: (state: PublisherState) => void;
  /** The contacts a caller's number belongs to, published with the call so every desktop shows names. */
  namesFor?: (event: CallEvent) => readonly string[];
  /** An agent's display name from the team's files, published with their events. */
  agentNameOf?: (agent: string) => string | undefined;
  /** Agents the team knows, when it says (its folder): events for others are told once each. */
  isTeamAgent?: (agent: string) => boolean;
  /** Checks each connection is to the team's own broker (see `NotTheTeamsBroker`). */
  verify?: (client: MqttClient) => Promise<void>;
  /** How long a publish may wait for the broker's PUBACK before it goes to the spool instead. */
  ackTimeoutMs?: number;
  now?: () => number;
}

const drainBatch = 200;
const recentKeysKept = 20_000;

/**
 * The ids TeleCMI writes become topic levels: they must be what a topic level may be, or the
 * broker drops the receiver for each one (and one poisoned event would stop every call after it).
 */
function checkTopicLevels(event: CallEvent): void {
  for (const [field, value] of [
    ['user', event.agent],
    ['team', event.team],
  ] as const) {
    if (value !== undefined && !teamNameSchema.safeParse(value).success) {
      throw new EventRefused(
        `"${field}" ${JSON.stringify(value.slice(0, 80))} is not an id TeleCMI sends: letters, digits, "_", "." or "-"`,
      );
    }
  }
  if (event.appId !== undefined && !(Number.isSafeInteger(event.appId) && event.appId > 0)) {
    throw new EventRefused(`"app_id" ${JSON.stringify(event.appId)} is not an app id: a whole number`);
  }
}

/** A topic the broker takes: an older version's spool may hold one made of ids it refuses. */
const publishableTopic = (topic: string): boolean => /^telecmi\/(\d+|unknown)\/(agent|team)\/[A-Za-z0-9_.-]{1,64}$/.test(topic);

/**
 * A broker's refusal of one publish for good (not authorized, a topic or payload it never takes,
 * too large): it sets that publish aside. Any other (quota exceeded, busy) is tried again.
 */
const refusedForGood = (error: unknown): boolean => [0x87, 0x90, 0x95, 0x99].includes((error as { code?: unknown }).code as number);

/**
 * The team server's transport, beside the receiver: each accepted TeleCMI event is published
 * (QoS 1, with an expiry) to the topics of the agents and teams it concerns. TeleCMI is answered
 * only once the broker acknowledged every publish, or they were written to the spool. A new event
 * goes to the broker at once, never behind a backlog: the spool is drained beside it, and the
 * desktops judge each event's lateness by its age.
 */
export function startTeamPublisher({
  broker,
  spool,
  log,
  receiverId,
  onState,
  namesFor = () => [],
  agentNameOf = () => undefined,
  isTeamAgent,
  verify,
  ackTimeoutMs = 3000,
  now = Date.now,
}: TeamPublisherOptions) {
  const router = createEventRouter();
  const redeliveries = createRedeliveryFilter({ capacity: recentKeysKept });
  /** Agents the team does not know, and how many of their events came. */
  const outsiders = new Map<string, number>();
  const statusTopic = topics.receiverStatus(receiverId);
  const status = (online: boolean): string => JSON.stringify({ v: 1, online, at: now() } satisfies ReceiverStatusMessage);
  let draining = false;
  let lastReported = '';

  const link = connectBroker({
    url: broker.url,
    username: broker.username,
    password: broker.password,
    clientId: `telecmi-receiver-${receiverId}`,
    ca: broker.ca,
    name: 'the team broker',
    log,
    options: { will: { topic: statusTopic, payload: Buffer.from(status(false)), qos: 1, retain: true } },
    verify,
    onConnect: async (client) => {
      void client.publishAsync(statusTopic, status(true), { qos: 1, retain: true }).catch(() => undefined);
      report();
      void drain();
      await hearPeerReceivers(client);
    },
    onState: () => report(),
  });
  link.client.on('message', (topic, payload) => onPeerPublish(router, topic, payload, (key) => redeliveries.admit(key)));
  const connected = (): boolean => link.state().state === 'connected' && link.client.connected;

  /** Told on each change only: a broker that stays down is retried quietly. */
  function report(): void {
    const linkState = link.state();
    const state: PublisherState = connected()
      ? { state: 'connected', spooled: spool.size() }
      : { state: 'offline', spooled: spool.size(), ...(linkState.state === 'offline' && linkState.reason && { reason: linkState.reason }) };
    if (JSON.stringify(state) === lastReported) return;
    lastReported = JSON.stringify(state);
    onState?.(state);
  }

  /** One event often goes to two topics (agent and team): it is serialised once. */
  const serialised = new WeakMap<SpooledPublish['message'], string>();
  const bodyOf = (message: SpooledPublish['message']): string => {
    const body = serialised.get(message) ?? JSON.stringify(message);
    serialised.set(message, body);
    return body;
  };

  /**
   * Published with the expiry it has left, so an event that waited in the spool is seen as late
   * (a ringing call spooled for a minute must not ring); one that expired while spooled is still
   * published, for a second, to the desktops that are online: they record it, without ringing.
   */
  function publish({ topic, message, expirySec }: SpooledPublish): Promise<void> {
    const left = Math.max(1, expirySec - Math.floor((now() - message.receivedAt) / 1000));
    const acknowledged = link.client.publishAsync(topic, bodyOf(message), { qos: 1, properties: { messageExpiryInterval: left } });
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new Error(`no PUBACK within ${ackTimeoutMs} ms`)), ackTimeoutMs);
    });
    return Promise.race([acknowledged.then(() => undefined), timeout]).finally(() => clearTimeout(timer));
  }

  /** Publishes the spool in order, a batch at a time, while the broker answers; one it refuses for good is set aside. */
  async function drain(): Promise<void> {
    if (draining) return;
    draining = true;
    try {
      while (spool.size() > 0 && connected()) {
        const peeked = spool.peek(drainBatch);
        const unpublishable = peeked.findIndex((entry) => !publishableTopic(entry.topic));
        if (unpublishable === 0) {
          spool.setAside(`its topic ${JSON.stringify(peeked[0]?.topic.slice(0, 100))} is not one the broker takes`);
          continue;
        }
        const batch = unpublishable === -1 ? peeked : peeked.slice(0, unpublishable);
        const results = await Promise.allSettled(batch.map(publish));
        const failed = results.findIndex((result) => result.status === 'rejected');
        if (failed === -1) {
          spool.drop(batch.length);
          continue;
        }
        spool.drop(failed);
        const reason = (results[failed] as PromiseRejectedResult).reason;
        if (!refusedForGood(reason)) throw reason;
        spool.setAside(errorMessage(reason));
      }
    } catch (error) {
      log.warn('publishing the spool stopped; it is tried again shortly', { error: errorMessage(error) });
      setTimeout(() => void drain(), 2000).unref();
    } finally {
      draining = false;
      report();
    }
  }

  async function publishOrSpool(publishes: SpooledPublish[]): Promise<PublishOutcome> {
    if (!connected()) return toSpool(publishes);
    try {
      await Promise.all(publishes.map(publish));
      return 'published';
    } catch (error) {
      if (refusedForGood(error)) throw new EventRefused(`the broker refused this event: ${errorMessage(error)}`);
      log.warn('the broker did not acknowledge in time: spooled', { error: errorMessage(error) });
      return toSpool(publishes);
    }
  }

  function toSpool(publishes: SpooledPublish[]): PublishOutcome {
    if (!spool.append(publishes)) throw new Error('the spool is full: the broker has been unreachable for too long');
    if (connected()) void drain();
    report();
    return 'spooled';
  }

  /** An agent the team does not know: said once per agent, never silently dropped. */
  function noteOutsider(event: CallEvent): void {
    if (!event.agent || !isTeamAgent || isTeamAgent(event.agent)) return;
    const seen = outsiders.get(event.agent) ?? 0;
    outsiders.set(event.agent, seen + 1);
    if (seen > 0) return;
    log.warn('events for an agent who is not in the team: no desktop can receive them (add them with "team add-agent")', {
      agent: event.agent,
    });
  }

  return {
    async ingest(event: CallEvent): Promise<PublishOutcome> {
      checkTopicLevels(event);
      const key = eventKey(event);
      if (!redeliveries.admit(key)) return 'duplicate';
      noteOutsider(event);
      const messages = new Map<CallEvent, SpooledPublish['message']>();
      const messageOf = (routed: CallEvent, expirySec: number): SpooledPublish['message'] => {
        const callerNames = routed.kind === 'agent-leg' ? publishableNames(namesFor(routed)) : undefined;
        const agentName = routed.agent === undefined ? undefined : agentNameOf(routed.agent);
        const message = messages.get(routed) ?? {
          v: 1 as const,
          id: eventKey(routed),
          receivedAt: routed.receivedAt,
          expirySec,
          payload: routed.raw,
          ...(callerNames && { callerNames }),
          ...(agentName && { agentName }),
        };
        messages.set(routed, message);
        return message;
      };
      const publishes = router
        .route(event)
        .map(({ topic, event: routed, expirySec }) => ({ topic, expirySec, message: messageOf(routed, expirySec) }));
      if (publishes.length === 0) return 'ignored';
      try {
        return await publishOrSpool(publishes);
      } catch (error) {
        // Not kept: TeleCMI's retry must not be taken for a duplicate.
        redeliveries.forget(key);
        throw error;
      }
    },

    spooled: (): number => spool.size(),

    /** Whether events reach the desktops now: the broker link up (a backlog may still be draining). */
    health: () => {
      const linkState = link.state();
      const outsideEvents = [...outsiders.values()].reduce((sum, count) => sum + count, 0);
      return {
        delivering: connected(),
        broker: connected() ? ('connected' as const) : ('offline' as const),
        spooled: spool.size(),
        ...(linkState.state === 'offline' && linkState.reason && { reason: linkState.reason }),
        ...(outsideEvents > 0 && { notInTeam: { agents: outsiders.size, events: outsideEvents } }),
      };
    },

    /** Says the receiver is going offline (retained), then disconnects. */
    async stop(): Promise<void> {
      if (connected()) await link.client.publishAsync(statusTopic, status(false), { qos: 1, retain: true }).catch(() => undefined);
      await link.end();
    },
  };
}

export type TeamPublisher = ReturnType<typeof startTeamPublisher>;

import { hostname } from 'node:os';
import mqtt, { type MqttClient } from 'mqtt';
import type { Logger } from '../../log/logger';
import type { CallEvent } from '../../telecmi/eventSchema';
import { eventKey } from '../../telecmi/parseEvent';
import { createEventRouter } from './eventRouter';
import type { Spool, SpooledPublish } from './spool';
import { publishableNames, type ReceiverStatusMessage } from '../teamMessages';
import { topics } from '../topics';
import { createRedeliveryFilter } from '../../telecmi/redeliveryFilter';

/**
 * What became of an accepted event: `published` (the broker acknowledged every publish),
 * `spooled` (kept on disk while the broker is away), `duplicate`, or `ignored` (no desktop's concern).
 */
export type PublishOutcome = 'published' | 'spooled' | 'duplicate' | 'ignored';

export interface BrokerConnection {
  url: string;
  username: string;
  password: string;
}

export type PublisherState = { state: 'connected'; spooled: number } | { state: 'offline'; spooled: number; reason?: string };

export interface TeamPublisherOptions {
  broker: BrokerConnection;
  spool: Spool;
  log: Logger;
  onState?: (state: PublisherState) => void;
  /** The contacts a caller's number belongs to, published with the call so every desktop shows names. */
  namesFor?: (event: CallEvent) => readonly string[];
  /** An agent's display name from the team's files, published with their events. */
  agentNameOf?: (agent: string) => string | undefined;
  /** How long a publish may wait for the broker's PUBACK before it goes to the spool instead. */
  ackTimeoutMs?: number;
  now?: () => number;
}

const drainBatch = 200;
const recentKeysKept = 20_000;

/**
 * The team server's transport, beside the receiver: each accepted TeleCMI event is published
 * (QoS 1, with an expiry) to the topics of the agents and teams it concerns. TeleCMI is answered
 * only once the broker acknowledged every publish, or they were written to the spool; the spool
 * is published in order when the broker is back, and new events queue behind it meanwhile.
 */
export function startTeamPublisher({
  broker,
  spool,
  log,
  onState,
  namesFor = () => [],
  agentNameOf = () => undefined,
  ackTimeoutMs = 3000,
  now = Date.now,
}: TeamPublisherOptions) {
  const router = createEventRouter();
  const redeliveries = createRedeliveryFilter({ capacity: recentKeysKept });
  const status = (online: boolean): string => JSON.stringify({ v: 1, online, at: now() } satisfies ReceiverStatusMessage);
  const client: MqttClient = mqtt.connect(broker.url, {
    username: broker.username,
    password: broker.password,
    protocolVersion: 5,
    clientId: `telecmi-receiver-${hostname()}-${process.pid}`,
    reconnectPeriod: 1000,
    connectTimeout: 5000,
    // A refused CONNACK (a broker restarting with its password file, "server busy") is retried too.
    reconnectOnConnackError: true,
    will: { topic: topics.receiverStatus, payload: Buffer.from(status(false)), qos: 1, retain: true },
  });
  let draining = false;
  let lastReason: string | undefined;

  let lastReported = '';
  /** Told on each change only: a broker that stays down is retried every second, quietly. */
  const report = (): void => {
    const state: PublisherState = client.connected
      ? { state: 'connected', spooled: spool.size() }
      : { state: 'offline', spooled: spool.size(), reason: lastReason };
    if (JSON.stringify(state) === lastReported) return;
    lastReported = JSON.stringify(state);
    onState?.(state);
  };

  client.on('connect', () => {
    lastReason = undefined;
    saidUnreachable = false;
    log.info('connected to the broker', { url: broker.url });
    void client.publishAsync(topics.receiverStatus, status(true), { qos: 1, retain: true }).catch(() => undefined);
    report();
    void drain();
  });
  client.on('error', (error) => {
    if (error.message !== lastReason) log.warn('the broker refused or failed', { url: broker.url, error: error.message });
    lastReason = error.message;
    report();
  });
  // Said once per outage, not at every retry.
  let saidUnreachable = false;
  client.on('offline', () => {
    if (!saidUnreachable) log.warn('the broker is unreachable: events are spooled on disk until it is back', { url: broker.url });
    saidUnreachable = true;
    report();
  });

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
    const acknowledged = client.publishAsync(topic, bodyOf(message), { qos: 1, properties: { messageExpiryInterval: left } });
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new Error(`no PUBACK within ${ackTimeoutMs} ms`)), ackTimeoutMs);
    });
    return Promise.race([acknowledged.then(() => undefined), timeout]).finally(() => clearTimeout(timer));
  }

  /** Publishes the spool in order, a batch at a time, while the broker answers. */
  async function drain(): Promise<void> {
    if (draining) return;
    draining = true;
    try {
      while (spool.size() > 0 && client.connected) {
        const batch = spool.peek(drainBatch);
        // Sent in order on one connection; the batch is forgotten only once all are acknowledged.
        await Promise.all(batch.map(publish));
        spool.drop(batch.length);
      }
      report();
    } catch (error) {
      log.warn('publishing the spool stopped; it is tried again shortly', { error: String(error) });
      setTimeout(() => void drain(), 2000).unref();
    } finally {
      draining = false;
    }
  }

  async function publishOrSpool(publishes: SpooledPublish[]): Promise<PublishOutcome> {
    // Behind a spool, or without a broker, order and durability come first.
    if (spool.size() > 0 || draining || !client.connected) return toSpool(publishes);
    try {
      await Promise.all(publishes.map(publish));
      return 'published';
    } catch (error) {
      log.warn('the broker did not acknowledge in time: spooled', { error: String(error) });
      return toSpool(publishes);
    }
  }

  function toSpool(publishes: SpooledPublish[]): PublishOutcome {
    if (!spool.append(publishes)) throw new Error('the spool is full: the broker has been unreachable for too long');
    if (client.connected) void drain();
    report();
    return 'spooled';
  }

  return {
    async ingest(event: CallEvent): Promise<PublishOutcome> {
      const key = eventKey(event);
      if (!redeliveries.admit(key)) return 'duplicate';
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

    /** Says the receiver is going offline (retained), then disconnects. */
    async stop(): Promise<void> {
      if (client.connected)
        await client.publishAsync(topics.receiverStatus, status(false), { qos: 1, retain: true }).catch(() => undefined);
      await client.endAsync();
    },
  };
}

export type TeamPublisher = ReturnType<typeof startTeamPublisher>;

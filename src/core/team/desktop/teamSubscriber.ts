import mqtt, { type MqttClient } from 'mqtt';
import type { Logger } from '../../log/logger';
import type { CallEvent } from '../../telecmi/eventSchema';
import { parseTelecmiEvent } from '../../telecmi/parseEvent';
import type { JoinCode } from '../joinCode';
import { receiverStatusMessageSchema, teamEventMessageSchema } from '../teamMessages';
import { topics } from '../topics';

/** How an event reached this desktop: late (after its ring window), and with the team server's caller names. */
export interface DeliveryOptions {
  late: boolean;
  callerNames?: readonly string[];
  /** The team's name for the event's agent. */
  agentName?: string;
}

export type SubscriberState =
  { state: 'connecting' } | { state: 'connected'; teamServer: 'online' | 'offline' | 'unknown' } | { state: 'offline'; reason?: string };

export interface TeamSubscriberOptions {
  code: JoinCode;
  /** Stable per installation: the broker keeps this desktop's queue under it while it is away. */
  clientId: string;
  log: Logger;
  /** `late`: it reached this desktop after the ring window, so it must not pop up as ringing; `callerNames`: as the team server found them. */
  onEvent: (event: CallEvent, options: DeliveryOptions) => void;
  onState: (state: SubscriberState) => void;
  /** A ringing call older than this has stopped ringing. */
  ringWindowMs?: number;
  now?: () => number;
}

/**
 * A desktop's (or `listen`'s) side of team mode: a persistent MQTT 5 session that receives this
 * agent's and its teams' events, each judged on time by its own age, never by the broker's
 * expiry (which may be late to drop it).
 */
export function startTeamSubscriber({
  code,
  clientId,
  log,
  onEvent,
  onState,
  ringWindowMs = 45_000,
  now = Date.now,
}: TeamSubscriberOptions) {
  let teamServer: 'online' | 'offline' | 'unknown' = 'unknown';
  const subscriptions = [topics.agent('+', code.agent), ...code.teams.map((team) => topics.team('+', team)), topics.receiverStatus];
  const client: MqttClient = mqtt.connect(code.url, {
    username: code.username,
    password: code.password,
    clientId,
    protocolVersion: 5,
    clean: false,
    properties: { sessionExpiryInterval: 86_400 },
    reconnectPeriod: 2000,
    connectTimeout: 8000,
    // A refused CONNACK is reported and retried: a revoked code keeps saying so, a busy broker recovers.
    reconnectOnConnackError: true,
  });
  // Attached before the connection opens: a listener added later misses the queued backlog.
  client.on('message', (topic, payload, packet) => {
    if (topic === topics.receiverStatus) return onReceiverStatus(payload);
    const parsed = teamEventMessageSchema.safeParse(safeJson(payload));
    if (!parsed.success) return log.warn('a message on the team topic is not a call event; ignored', { topic });
    const event = parseTelecmiEvent(parsed.data.payload, parsed.data.receivedAt);
    if (!event.ok) return log.warn('a published event does not read as a TeleCMI event; ignored', { topic, reason: event.reason });
    const remaining = packet.properties?.messageExpiryInterval;
    const age = remaining === undefined ? now() - parsed.data.receivedAt : (parsed.data.expirySec - remaining) * 1000;
    onEvent(event.event, { late: age > ringWindowMs, callerNames: parsed.data.callerNames, agentName: parsed.data.agentName });
  });
  // Connected means subscribed. A kept session has its subscriptions, but perhaps not a team added
  // since: subscribing again is harmless, and topics no longer granted deliver nothing (ACL).
  client.on('connect', () => {
    lastReason = undefined;
    client.subscribe(subscriptions, { qos: 1 }, (error) => {
      if (error) return onState({ state: 'offline', reason: `subscribing failed: ${error.message}` });
      onState({ state: 'connected', teamServer });
    });
  });
  // Retried every 2 s while the broker is away: each new reason is logged once, and kept.
  let lastReason: string | undefined;
  client.on('error', (error) => {
    if (error.message !== lastReason)
      log.warn('the team broker refused or failed', { broker: new URL(code.url).host, error: error.message });
    lastReason = error.message;
    onState({ state: 'offline', reason: error.message });
  });
  client.on('offline', () => onState({ state: 'offline', ...(lastReason && { reason: lastReason }) }));

  function onReceiverStatus(payload: Buffer): void {
    const status = receiverStatusMessageSchema.safeParse(safeJson(payload));
    if (!status.success) return;
    teamServer = status.data.online ? 'online' : 'offline';
    if (client.connected) onState({ state: 'connected', teamServer });
  }

  onState({ state: 'connecting' });
  let lastReconnect = 0;
  return {
    /**
     * After sleep or when the network is back: drops a connection that may be dead so MQTT.js's
     * own retry opens a new one at once (calling its reconnect() mid-attempt leaves a stale socket).
     */
    reconnect(): void {
      if (!client.connected || now() - lastReconnect < 5000) return;
      lastReconnect = now();
      client.stream.destroy();
    },
    /** `forget`: the agent left the team, so the broker drops this desktop's session and queue. */
    stop: ({ forget = false } = {}): Promise<void> => client.endAsync(!forget, forget ? { properties: { sessionExpiryInterval: 0 } } : {}),
  };
}

function safeJson(payload: Buffer): unknown {
  try {
    return JSON.parse(payload.toString('utf8'));
  } catch {
    return undefined;
  }
}

import { randomUUID } from 'node:crypto';
import type { Logger } from '../../log/logger';
import type { CallEvent } from '../../telecmi/eventSchema';
import { parseTelecmiEvent } from '../../telecmi/parseEvent';
import { connectBroker } from '../brokerLink';
import { presenceSchema, receiverStatusMessageSchema, teamEventMessageSchema, type Presence } from '../teamMessages';
import { topics } from '../topics';
import type { DeviceCredentials } from './enrol';
import { payloadJson } from '../payloadJson';

/** How an event reached this desktop: late (after its ring window), and with the team server's caller and agent names. */
export interface DeliveryOptions {
  late: boolean;
  callerNames?: readonly string[];
  /** The team's name for the event's agent. */
  agentName?: string;
}

export type SubscriberState =
  | { state: 'connecting' }
  | { state: 'connected'; teamServer: 'online' | 'offline' | 'unknown' }
  /** `final`: this desktop's credentials will never work again (revoked, or in use on another computer). */
  | { state: 'offline'; reason?: string; final?: boolean };

export interface TeamSubscriberOptions {
  device: DeviceCredentials;
  log: Logger;
  /** `late`: it reached this desktop after the ring window, so it must not pop up as ringing; `callerNames`: as the team server found them. */
  onEvent: (event: CallEvent, options: DeliveryOptions) => void;
  onState: (state: SubscriberState) => void;
  /** What the desktop says of itself in its presence: its app's version, its computer's name. */
  about?: { version: string; label: string };
  /** A ringing call older than this has stopped ringing. */
  ringWindowMs?: number;
  now?: () => number;
}

const presenceRenewMs = 60_000;
const presenceLifeMs = 2 * presenceRenewMs;

const copied =
  "this desktop's team identity is in use on another computer (a copied data folder?): join the team again here with a new join code";
const revoked = 'this desktop was removed from the team (revoked): join again with a new join code from your supervisor';

/**
 * A desktop's (or `listen`'s) side of team mode: a persistent MQTT 5 session under this desktop's
 * own credentials that receives its agent's and its teams' events, each judged on time by its own
 * age, never by the broker's expiry (which may be late to drop it). It keeps a retained presence
 * (online, offline from its last will), and notices a second computer using the same credentials
 * (a copied data folder): the later of the two stops and says so, instead of both knocking each
 * other off.
 */
export function startTeamSubscriber({
  device,
  log,
  onEvent,
  onState,
  about,
  ringWindowMs = 45_000,
  now = Date.now,
}: TeamSubscriberOptions) {
  const receivers = new Map<string, boolean>();
  const presenceTopic = topics.presence(device.username);
  const instance = randomUUID();
  const since = now();
  const presence = (online: boolean): string =>
    JSON.stringify({
      v: 1,
      online,
      at: now(),
      instance,
      since,
      clientId: device.clientId,
      ...(about && { version: about.version, label: about.label }),
    } satisfies Presence);
  const teamServer = (): 'online' | 'offline' | 'unknown' =>
    receivers.size === 0 ? 'unknown' : [...receivers.values()].some(Boolean) ? 'online' : 'offline';

  const link = connectBroker({
    url: device.url,
    username: device.username,
    password: device.password,
    clientId: device.clientId,
    ca: device.ca,
    name: 'the team broker',
    log,
    options: {
      clean: false,
      properties: { sessionExpiryInterval: 86_400 },
      will: { topic: presenceTopic, payload: Buffer.from(presence(false)), qos: 1, retain: true },
    },
    // Connected means subscribed: a kept session has its subscriptions, and subscribing again is harmless.
    onConnect: async (client) => {
      try {
        // Every team topic (the team's Mosquitto delivers only this agent's teams'), or, where the
        // operator's broker grants its own teams alone, those.
        const teamTopics = device.ownTeamsOnly ? device.teams.map((team) => topics.team('+', team)) : [topics.team('+', '+')];
        await client.subscribeAsync([topics.agent('+', device.agent), ...teamTopics, topics.receiverStatus('+'), presenceTopic], {
          qos: 1,
        });
        await client.publishAsync(presenceTopic, presence(true), { qos: 1, retain: true });
        onState({ state: 'connected', teamServer: teamServer() });
      } catch (error) {
        onState({ state: 'offline', reason: `subscribing failed: ${(error as Error).message}` });
      }
    },
    onState: (state) => {
      if (state.state === 'offline') onState(state);
      else if (state.state === 'connecting') onState(state);
    },
    giveUp: (reason) => /Not authorized/.test(reason),
  });

  // Attached before the connection opens: a listener added later misses the queued backlog.
  link.client.on('message', (topic, payload, packet) => {
    if (topic === presenceTopic) return onPresence(payload);
    const receiver = /^telecmi\/status\/receiver\/(.+)$/.exec(topic)?.[1];
    if (receiver) return onReceiverStatus(receiver, payload);
    const parsed = teamEventMessageSchema.safeParse(payloadJson(payload));
    if (!parsed.success) return log.warn('a message on the team topic is not a call event; ignored', { topic });
    const event = parseTelecmiEvent(parsed.data.payload, parsed.data.receivedAt);
    if (!event.ok) return log.warn('a published event does not read as a TeleCMI event; ignored', { topic, reason: event.reason });
    const remaining = packet.properties?.messageExpiryInterval;
    const age = remaining === undefined ? now() - parsed.data.receivedAt : (parsed.data.expirySec - remaining) * 1000;
    onEvent(event.event, { late: age > ringWindowMs, callerNames: parsed.data.callerNames, agentName: parsed.data.agentName });
  });
  link.client.on('error', (error) => {
    // Mosquitto answers a refused login with 0x87, other brokers (EMQX) with 0x86.
    if (/Not authorized|Bad User Name or Password/i.test(error.message)) onState({ state: 'offline', reason: revoked, final: true });
  });

  function onReceiverStatus(receiver: string, payload: Buffer): void {
    const status = receiverStatusMessageSchema.safeParse(payloadJson(payload));
    if (!status.success) return;
    receivers.set(receiver, status.data.online);
    if (link.client.connected) onState({ state: 'connected', teamServer: teamServer() });
  }

  /**
   * Another run of these credentials, alive (its presence is renewed every minute): the one that
   * started later gives way; the earlier one says it is there again, so the later one hears it.
   */
  function onPresence(payload: Buffer): void {
    const other = presenceSchema.safeParse(payloadJson(payload));
    if (!other.success || !other.data.online || !other.data.instance || other.data.instance === instance) return;
    // Another desktop of the same broker user, with a client id of its own (an operator's broker): not a copy.
    if (other.data.clientId !== undefined && other.data.clientId !== device.clientId) return;
    if (now() - other.data.at > presenceLifeMs) return;
    const theirs = other.data.since ?? 0;
    if (theirs > since || (theirs === since && other.data.instance > instance)) {
      void link.client.publishAsync(presenceTopic, presence(true), { qos: 1, retain: true }).catch(() => undefined);
      return;
    }
    log.error(copied, { device: device.deviceId });
    clearInterval(renewing);
    link.abandon(copied);
    onState({ state: 'offline', reason: copied, final: true });
  }

  // Renewed while connected: a presence older than two renewals belongs to a run that is gone.
  const renewing = setInterval(() => {
    if (link.client.connected)
      void link.client.publishAsync(presenceTopic, presence(true), { qos: 1, retain: true }).catch(() => undefined);
  }, presenceRenewMs);
  renewing.unref();

  onState({ state: 'connecting' });
  let lastReconnect = 0;
  return {
    /** After sleep or when the network is back: at once, not after the keep-alive times out. */
    reconnect(): void {
      if (!link.client.connected || now() - lastReconnect < 5000) return;
      lastReconnect = now();
      link.reconnectNow();
    },
    /** `forget`: the agent left the team, so the broker drops this desktop's session and queue. */
    async stop({ forget = false } = {}): Promise<void> {
      clearInterval(renewing);
      if (link.client.connected)
        await link.client.publishAsync(presenceTopic, presence(false), { qos: 1, retain: true }).catch(() => undefined);
      await link.end(forget ? { force: false, properties: { sessionExpiryInterval: 0 } } : {});
    },
  };
}

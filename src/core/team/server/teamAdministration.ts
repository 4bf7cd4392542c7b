import { createHash } from 'node:crypto';
import { errorMessage } from '../../log/errorMessage';
import type { Logger } from '../../log/logger';
import { connectBroker } from '../brokerLink';
import { enrolRequestSchema, presenceSchema, type EnrolResponse } from '../teamMessages';
import { BoundedMap } from '../../collections/boundedMap';
import { isSealingKey, seal } from '../sealedBox';
import { topics } from '../topics';
import { controlOver, NotTheTeamsBroker } from './dynsecControl';
import { brokerDroppedTopic } from './dynsec';
import { dropExpiredInvites, enrolDevice, forgetInvite, TeamRefusal, usedAlready } from './teamAdmin';
import { readTeam } from './teamFile';
import { payloadJson } from '../payloadJson';

export interface TeamAdministrationOptions {
  dir: string;
  log: Logger;
  receiverId: string;
  /** How often join codes past their time are dropped. */
  sweepEveryMs?: number;
  /**
   * A used join code's broker user goes this long after its answer: until then, a desktop that
   * was away when it was answered finds the answer in its session.
   */
  forgetUsedAfterMs?: number;
}

/**
 * What the team server does for its team beside publishing calls: lets desktops in (each join code
 * once, for credentials of their own), keeps the broker's users as team.json says (after commands
 * run while it was down, or several receivers), and drops expired join codes.
 */
export function startTeamAdministration({
  dir,
  log,
  receiverId,
  sweepEveryMs = 600_000,
  forgetUsedAfterMs = 600_000,
}: TeamAdministrationOptions) {
  const team = readTeam(dir);
  let listening = false;
  const link = connectBroker({
    url: `mqtt://127.0.0.1:${team.mqttPort}`,
    username: team.receiver.username,
    password: team.receiver.password,
    clientId: `telecmi-admin-${receiverId}`,
    name: 'the team broker (administration)',
    log,
    verify: async (client) => void (await controlOver(client).send([{ command: 'getClient', username: team.receiver.username }])),
    onConnect: async (client) => {
      await client.subscribeAsync([topics.allEnrolRequests, topics.allPresences], { qos: 1 });
      // A team made before the receiver could read it gets the right at the sweep below: enrolments must not wait for it.
      await client.subscribeAsync(brokerDroppedTopic, { qos: 1 }).catch(() => undefined);
      listening = true;
      await sweep();
    },
    onState: (state) => void (listening &&= state.state === 'connected'),
  });

  async function sweep(): Promise<void> {
    try {
      const { result: dropped } = await dropExpiredInvites(dir, log);
      if (dropped > 0) log.info('join codes past their time were dropped', { count: dropped });
    } catch (error) {
      log.warn('the team could not be brought up to date in the broker', { error: errorMessage(error) });
    }
  }
  const sweeping = setInterval(() => void sweep(), sweepEveryMs);
  sweeping.unref();

  /** The answer, then the (retained) request cleared: a receiver that starts later must not answer it again. */
  async function answer(invite: string, response: EnrolResponse): Promise<void> {
    await link.client.publishAsync(topics.enrolResponse(invite), JSON.stringify(response), { qos: 1 });
    await link.client.publishAsync(topics.enrolRequest(invite), '', { qos: 1, retain: true });
  }

  /** When each join code last asked: one asking again within a second is not answered (a flood must not hold the team's lock). */
  const lastAsked = new BoundedMap<string, number>(10_000);

  /** How a join code stands in team.json, read without its lock. */
  const inviteNow = (invite: string) => readTeam(dir).invites.find((each) => each.id === invite);
  /** The key a request asks with, as kept with the join code it used. */
  const keyHashOf = (publicKey: string): string => createHash('sha256').update(publicKey).digest('base64url');

  /**
   * A used join code is refused, unless it was used by this very request: another receiver of the
   * team answered it (both hear each request), and a refusal now would undo that answer.
   */
  async function refuseUsed(invite: string, usedBy: string): Promise<void> {
    if (inviteNow(invite)?.usedBy === usedBy) return;
    await answer(invite, { ok: false, reason: usedAlready });
  }

  async function onRequest(invite: string, payload: Buffer): Promise<void> {
    const now = Date.now();
    if (now - (lastAsked.get(invite) ?? -Infinity) < 1000) return;
    lastAsked.set(invite, now);
    const request = enrolRequestSchema.safeParse(payloadJson(payload));
    if (!request.success || !isSealingKey(request.data.publicKey)) {
      return answer(invite, { ok: false, reason: 'the request is not one this team server understands: update the app' });
    }
    const usedBy = keyHashOf(request.data.publicKey);
    const known = inviteNow(invite);
    if (known && known.usedAt !== undefined) return refuseUsed(invite, usedBy);
    try {
      const { result } = await enrolDevice(dir, log, { invite, label: request.data.label, usedBy });
      if ('refused' in result)
        return await (result.refused === usedAlready ? refuseUsed(invite, usedBy) : answer(invite, { ok: false, reason: result.refused }));
      const { device, password, teams } = result;
      const sealed = seal(password, request.data.publicKey);
      await answer(invite, {
        ok: true,
        deviceId: device.id,
        username: device.username,
        password: sealed,
        clientId: device.clientId,
        agent: device.agent,
        teams,
      });
      log.info('a desktop joined the team', { agent: device.agent, device: device.id, label: device.label });
      // The join code's broker user goes later (the sweep drops it too, after a restart).
      const forget = () =>
        forgetInvite(dir, log, invite).catch((error: unknown) =>
          log.warn('a used join code could not be dropped', { error: errorMessage(error) }),
        );
      setTimeout(() => void forget(), forgetUsedAfterMs).unref();
    } catch (error) {
      const reason =
        error instanceof TeamRefusal || error instanceof NotTheTeamsBroker ? error.message : 'the team server failed: try again';
      log.error('a desktop could not join', { invite, error: errorMessage(error) });
      await answer(invite, { ok: false, reason });
    }
  }

  /** The desktops whose retained presence says online, by presence topic. */
  const online = new Set<string>();
  function onPresence(topic: string, payload: Buffer): void {
    const presence = presenceSchema.safeParse(payloadJson(payload));
    if (presence.success && presence.data.online) online.add(topic);
    else online.delete(topic);
  }

  /** Messages the broker dropped since it started (a desktop away too long, its queue full), as it last said. */
  let brokerDropped: number | undefined;
  function onBrokerDropped(payload: Buffer): void {
    const now = Number(payload.toString('utf8'));
    if (!Number.isSafeInteger(now)) return;
    if (now > (brokerDropped ?? 0)) {
      log.warn('the broker dropped calls for desktops away too long (their queue was full: max_queued_messages)', {
        dropped: now - (brokerDropped ?? 0),
        sinceBrokerStart: now,
      });
    }
    brokerDropped = now;
  }

  link.client.on('message', (topic, payload) => {
    if (topic === brokerDroppedTopic) return onBrokerDropped(payload);
    if (topic.startsWith(topics.presence(''))) return onPresence(topic, payload);
    const invite = /^telecmi\/enrol\/([a-z0-9]+)\/request$/.exec(topic)?.[1];
    // An empty payload is a request cleared once answered.
    if (!invite || payload.length === 0) return;
    onRequest(invite, payload).catch((error: unknown) =>
      log.warn('a desktop could not be answered', { invite, error: errorMessage(error) }),
    );
  });

  return {
    /** Desktops' requests to join are heard now. */
    listening: (): boolean => listening,
    /** Messages the broker dropped since it started (queues full); undefined until it said. */
    brokerDropped: (): number | undefined => brokerDropped,
    /** How many of each agent's desktops say they are online (their retained presences); every agent of the team is there. */
    desktopsOnline(): Map<string, number> {
      const { agents, devices } = readTeam(dir);
      const counts = new Map(agents.map(({ agent }) => [agent, 0]));
      for (const { agent, username } of devices) if (online.has(topics.presence(username))) counts.set(agent, (counts.get(agent) ?? 0) + 1);
      return counts;
    },
    async stop(): Promise<void> {
      clearInterval(sweeping);
      await link.end();
    },
  };
}

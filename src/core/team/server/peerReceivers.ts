import type { MqttClient } from 'mqtt';
import { parseTelecmiEvent } from '../../telecmi/parseEvent';
import { payloadJson } from '../payloadJson';
import { teamEventMessageSchema } from '../teamMessages';
import { topics } from '../topics';
import type { EventRouter } from './eventRouter';

/**
 * Several receivers behind one URL (for availability) each get some of a conversation's events:
 * each hears what the others publish (MQTT 5 "no local": not its own), so a conversation's later
 * events reach every desktop it reached through any of them (the number dialled, a colleague's
 * answer). Heard at most once (QoS 0): a miss costs what one receiver alone would not know.
 */
export async function hearPeerReceivers(client: MqttClient): Promise<void> {
  await client.subscribeAsync([topics.agent('+', '+'), topics.team('+', '+')], { qos: 0, nl: true });
}

/** Bigger than any event TeleCMI's webhook lets in (64 KB): not a receiver's. */
const largestPeerPublish = 64 * 1024;

/**
 * A publish another receiver made, taken in by the router; anything else is passed over. `admit`
 * is this receiver's redelivery filter: a TeleCMI retry that reaches it later is a duplicate here too.
 */
export function onPeerPublish(router: EventRouter, topic: string, payload: Buffer, admit: (key: string) => boolean): void {
  if (payload.length > largestPeerPublish) return;
  const message = teamEventMessageSchema.safeParse(payloadJson(payload));
  if (!message.success) return;
  const parsed = parseTelecmiEvent(message.data.payload, message.data.receivedAt);
  if (!parsed.ok) return;
  // Published to the agent's topic and the team's: the filter admits it once, the router learns both.
  admit(message.data.id);
  router.learnPublished(parsed.event, topic);
}

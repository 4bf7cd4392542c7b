import type { MqttClient } from 'mqtt';
import { parseTelecmiEvent } from '../../telecmi/parseEvent';
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

/** A publish another receiver made, taken in by the router; anything else is passed over. */
export function onPeerPublish(router: EventRouter, topic: string, payload: Buffer): void {
  let json: unknown;
  try {
    json = JSON.parse(payload.toString('utf8'));
  } catch {
    return;
  }
  const message = teamEventMessageSchema.safeParse(json);
  if (!message.success) return;
  const parsed = parseTelecmiEvent(message.data.payload, message.data.receivedAt);
  if (parsed.ok) router.learnPublished(parsed.event, topic);
}

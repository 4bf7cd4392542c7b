import { parseTelecmiEvent } from '../../src/core/telecmi/parseEvent';
import type { CallEvent } from '../../src/core/telecmi/eventSchema';
import { loadEvent, type Payload } from './fixtures';

let arrival = 1_700_000_000_000;

/** A reference payload with some fields changed, parsed as the receiver would. */
export function eventFrom(name: string, changes: Payload = {}): CallEvent {
  const result = parseTelecmiEvent({ ...loadEvent(name), ...changes }, (arrival += 10));
  if (!result.ok) throw new Error(result.reason);
  return result.event;
}

/** The leg B events of one more call, with its own ids. */
export function agentCall(id: string, changes: Payload = {}) {
  const ids = { cmiuuid: `leg-b-${id}`, conversation_uuid: `conversation-${id}`, ...changes };
  return {
    started: eventFrom('leg-b-started', ids),
    answered: eventFrom('leg-b-answered', ids),
    hangup: eventFrom('leg-b-hangup', ids),
    callerLeg: (status: string) =>
      eventFrom('leg-a-waiting', { cmiuuid: ids.conversation_uuid, conversation_uuid: ids.conversation_uuid, status }),
    report: (changesToReport: Payload = {}) =>
      eventFrom('cdr-incoming-missed', { cmiuuid: ids.conversation_uuid, conversation_uuid: ids.conversation_uuid, ...changesToReport }),
  };
}

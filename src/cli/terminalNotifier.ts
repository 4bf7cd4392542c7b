import { describeNotification, type CallNotification, type Notifier } from '../core/calls/callNotification';
import type { CallRecord } from '../core/calls/callRecord';
import { printLine } from './jsonLines';

/** Notifications as JSON lines on a stream: what `serve` prints for scripts and tests. */
export function createTerminalNotifier(print: (line: object) => void = printLine): Notifier {
  return {
    notify(notification: CallNotification): void {
      const calls =
        notification.type === 'summary' || notification.type === 'away'
          ? notification.calls
          : notification.type === 'url-changed'
            ? []
            : [notification.call];
      const line = {
        type: 'notification',
        kind: notification.type,
        ...describeNotification(notification),
        calls: calls.map(summarise),
      };
      print(line);
    },
  };
}

function summarise(call: CallRecord) {
  return {
    id: call.id,
    state: call.state,
    from: call.from?.display,
    callerNames: call.callerNames,
    agent: call.agent,
    team: call.team,
    ...(call.answeredBy && { answeredBy: call.answeredBy }),
    ...(call.voicemail && { voicemail: true }),
    ...(call.callBack && { callBack: call.callBack }),
  };
}

import type { Logger } from '../../log/logger';
import type { CallEvent } from '../../telecmi/eventSchema';
import { decodeJoinCode } from '../joinCode';
import { startTeamSubscriber, type DeliveryOptions } from './teamSubscriber';
import type { TeamStatus } from './teamStatus';

export interface TeamConnectionOptions {
  log: Logger;
  onEvent: (event: CallEvent, options: DeliveryOptions) => void;
  onStatus: () => void;
  /** Starts the MQTT subscriber (a stand-in in tests). */
  startSubscriber?: typeof startTeamSubscriber;
}

/**
 * The desktop's team mode, like the tunnel host: a subscriber runs exactly while the app is in
 * team mode with a join code saved; a new code or client id starts it anew.
 */
export function createTeamConnection({ log, onEvent, onStatus, startSubscriber = startTeamSubscriber }: TeamConnectionOptions) {
  let running: { key: string; subscriber: ReturnType<typeof startTeamSubscriber>; session: { stopped: boolean } } | undefined;
  let status: TeamStatus | null = null;

  async function stop({ forget = false } = {}): Promise<void> {
    const stopping = running;
    running = undefined;
    status = null;
    if (!stopping) return;
    stopping.session.stopped = true;
    await stopping.subscriber.stop({ forget });
  }

  return {
    status: (): TeamStatus | null => status,

    async sync({ mode, joinCode, clientId }: { mode: 'receiver' | 'team'; joinCode: string | undefined; clientId: string }): Promise<void> {
      const decoded = mode === 'team' && joinCode ? decodeJoinCode(joinCode) : undefined;
      if (!decoded?.ok) {
        if (decoded) log.warn('the saved join code is not valid: join the team again', { reason: decoded.reason });
        // Leaving the team (no code any more): the broker may forget this desktop's queue.
        return stop({ forget: mode === 'receiver' });
      }
      const key = `${clientId}|${joinCode}`;
      if (running?.key === key) return;
      await stop();
      status = { state: 'connecting', teamServer: 'unknown' };
      // A stopped subscriber's late state changes must not overwrite the next one's.
      const session = { stopped: false };
      const subscriber = startSubscriber({
        code: decoded.code,
        clientId,
        log,
        onEvent,
        onState: (state) => {
          if (session.stopped) return;
          status =
            state.state === 'connected'
              ? { state: 'connected', teamServer: state.teamServer }
              : state.state === 'offline'
                ? { state: 'offline', teamServer: 'unknown', ...(state.reason && { reason: state.reason }) }
                : { state: 'connecting', teamServer: 'unknown' };
          onStatus();
        },
      });
      running = { key, subscriber, session };
    },

    /** After sleep or when the network is back: at once, not after the keep-alive times out. */
    reconnect: (): void => running?.subscriber.reconnect(),

    stop,
  };
}

/**
 * Calls `onBack` when the network comes back (offline, then online): the team connection then
 * reconnects at once instead of waiting for its keep-alive to time out. Polls, since Electron's
 * main process has no "online" event.
 */
export function watchNetwork(isOnline: () => boolean, onBack: () => void, intervalMs = 5000): () => void {
  let online = isOnline();
  const timer = setInterval(() => {
    const now = isOnline();
    if (now && !online) onBack();
    online = now;
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}

import type { Logger } from '../../log/logger';
import type { CallEvent } from '../../telecmi/eventSchema';
import { decodeJoinCode, reachedInClear, type JoinCode } from '../joinCode';
import { newSealingKeys } from '../sealedBox';
import { credentialsOf, enrol, EnrolFailure, type DeviceCredentials } from './enrol';
import { startTeamSubscriber, type DeliveryOptions } from './teamSubscriber';
import type { TeamStatus } from './teamStatus';

export interface TeamConnectionOptions {
  log: Logger;
  onEvent: (event: CallEvent, options: DeliveryOptions) => void;
  onStatus: () => void;
  /** Where this desktop's own credentials are kept (encrypted by the app), once its join code is traded for them. */
  devices: { get(): DeviceCredentials | undefined; set(device: DeviceCredentials): Promise<void> | void; clear(): void };
  /** What this desktop says of itself: its version, its computer's name. */
  about: { version: string; label: string };
  /** Told when this desktop can no longer be in the team without a new join code (refused, revoked, copied). */
  onGiveUp?: (reason: string) => void;
  /** Told once the team let this desktop in: its agent and teams. */
  onEnrolled?: (device: DeviceCredentials) => void;
  /** Starts the MQTT subscriber, trades a join code (stand-ins in tests). */
  startSubscriber?: typeof startTeamSubscriber;
  enrolDesktop?: typeof enrol;
  /** How long after a failed enrolment (the team server away) it is tried again. */
  retryEnrolMs?: number;
  /** A ringing call that reaches this desktop later than this is summed up, never rung. */
  ringWindowMs?: number;
}

/**
 * The desktop's team mode, like the tunnel host: while the app is in team mode with a join code
 * saved, it trades the code once for this desktop's own credentials (kept) and runs a subscriber
 * with them; a new code starts it anew.
 */
export function createTeamConnection({
  log,
  onEvent,
  onStatus,
  devices,
  about,
  onEnrolled,
  onGiveUp,
  startSubscriber = startTeamSubscriber,
  enrolDesktop = enrol,
  retryEnrolMs = 15_000,
  ringWindowMs,
}: TeamConnectionOptions) {
  let running: { key: string; subscriber?: ReturnType<typeof startTeamSubscriber>; session: Session } | undefined;
  let status: TeamStatus | null = null;

  async function stop({ forget = false } = {}): Promise<void> {
    const stopping = running;
    running = undefined;
    status = null;
    if (!stopping) return;
    stopping.session.stopped = true;
    stopping.session.wake();
    await stopping.subscriber?.stop({ forget });
  }

  function show(next: TeamStatus, session: Session): void {
    if (session.stopped) return;
    status = next;
    onStatus();
  }

  /** This desktop's credentials for the code: the kept ones, or traded for now (asked again while the team server is away). */
  async function credentialsFor(code: JoinCode, session: Session): Promise<DeviceCredentials | undefined> {
    if (code.v === 3) {
      // Nothing to trade: the code is the credentials (its teams are known at once).
      const device = credentialsOf(code);
      onEnrolled?.(device);
      return device;
    }
    const kept = devices.get();
    if (kept?.invite === code.invite) return kept;
    // One key for every try: an answer given while this desktop was away opens with it.
    const keys = newSealingKeys();
    while (!session.stopped) {
      try {
        const device = await enrolDesktop(code, { ...about, keys });
        await devices.set(device);
        onEnrolled?.(device);
        log.info('this desktop joined its team', { agent: device.agent, device: device.deviceId });
        return device;
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        show({ state: 'offline', teamServer: 'unknown', reason }, session);
        if (error instanceof EnrolFailure && error.final) {
          if (!session.stopped) onGiveUp?.(reason);
          return undefined;
        }
        await session.sleep(retryEnrolMs);
      }
    }
    return undefined;
  }

  return {
    status: (): TeamStatus | null => status,

    async sync({ mode, joinCode }: { mode: 'receiver' | 'team'; joinCode: string | undefined }): Promise<void> {
      const decoded = mode === 'team' && joinCode ? decodeJoinCode(joinCode) : undefined;
      if (!decoded?.ok) {
        if (decoded) log.warn('the saved join code is not valid: join the team again', { reason: decoded.reason });
        // Leaving the team (no code any more): the broker may forget this desktop's queue, and its credentials go.
        await stop({ forget: mode === 'receiver' });
        if (mode === 'receiver') devices.clear();
        return;
      }
      if (running?.key === joinCode) return;
      await stop();
      if (reachedInClear(decoded.code.url))
        log.warn("the team broker is reached without TLS: this desktop's password and callers' numbers cross the network in clear", {
          broker: new URL(decoded.code.url).host,
        });
      // A stopped session's late changes must not overwrite the next one's.
      const session = newSession();
      const current: NonNullable<typeof running> = { key: joinCode as string, session };
      running = current;
      show({ state: 'connecting', teamServer: 'unknown' }, session);
      void credentialsFor(decoded.code, session).then((device) => {
        if (!device || session.stopped) return;
        current.subscriber = startSubscriber({
          device,
          log,
          about,
          onEvent,
          ...(ringWindowMs && { ringWindowMs }),
          onState: (state) => {
            const gaveUp = state.state === 'offline' && state.final && !session.stopped;
            show(
              state.state === 'connected'
                ? { state: 'connected', teamServer: state.teamServer }
                : state.state === 'offline'
                  ? { state: 'offline', teamServer: 'unknown', ...(state.reason && { reason: state.reason }) }
                  : { state: 'connecting', teamServer: 'unknown' },
              session,
            );
            if (gaveUp) onGiveUp?.(state.reason ?? 'this desktop left the team');
          },
        });
      });
    },

    /** After sleep or when the network is back: at once, not after the keep-alive times out. */
    reconnect: (): void => running?.subscriber?.reconnect(),

    stop,
  };
}

/** A broker on another machine without TLS (the team chose `--insecure`). */

/** One run of a join code: stopped when another replaces it; its waits end at once then. */
interface Session {
  stopped: boolean;
  sleep(ms: number): Promise<void>;
  wake(): void;
}

function newSession(): Session {
  let timer: NodeJS.Timeout | undefined;
  let woken: (() => void) | undefined;
  return {
    stopped: false,
    sleep: (ms) =>
      new Promise((resolve) => {
        woken = resolve;
        timer = setTimeout(resolve, ms);
      }),
    wake() {
      clearTimeout(timer);
      woken?.();
    },
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

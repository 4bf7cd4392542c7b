import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { encodeJoinCode, type InviteCode } from '../../../../src/core/team/joinCode';
import { EnrolFailure, type DeviceCredentials } from '../../../../src/core/team/desktop/enrol';
import { createTeamConnection, watchNetwork, type TeamConnectionOptions } from '../../../../src/core/team/desktop/teamConnection';
import type { SubscriberState, TeamSubscriberOptions } from '../../../../src/core/team/desktop/teamSubscriber';
import { recordingLogger } from '../../../support/fakes';

const joinCode = (invite: string, agent = '204_2222223'): string =>
  encodeJoinCode({
    v: 2,
    url: 'ws://127.0.0.1:9',
    invite: invite.repeat(8),
    secret: 'a-secret-of-enough-length',
    agent,
    expiresAt: Date.now() + 60_000,
  });

const credentials = (code: InviteCode): DeviceCredentials => ({
  v: 1,
  url: code.url,
  deviceId: `device-of-${code.invite}`,
  username: `device-${code.invite}`,
  password: 'device-password',
  clientId: `telecmi-desktop-${code.invite}`,
  agent: code.agent,
  teams: [],
  invite: code.invite,
});

/** Subscribers that record how they were started and stopped, and report what a test says. */
function fakeSubscribers() {
  const started: Array<{ options: TeamSubscriberOptions; stops: Array<{ forget?: boolean }>; report: (state: SubscriberState) => void }> =
    [];
  const startSubscriber = (options: TeamSubscriberOptions) => {
    const subscriber = { options, stops: [] as Array<{ forget?: boolean }>, report: options.onState };
    started.push(subscriber);
    return {
      reconnect: () => undefined,
      stop: async (how: { forget?: boolean } = {}) => void subscriber.stops.push(how),
    };
  };
  return { started, startSubscriber };
}

/** A connection with kept credentials in memory and an enrolment that answers at once (or as `enrolDesktop` says). */
function connection(overrides: Partial<TeamConnectionOptions> = {}) {
  const { started, startSubscriber } = fakeSubscribers();
  let kept: DeviceCredentials | undefined;
  const enrolments: InviteCode[] = [];
  const log = recordingLogger();
  const team = createTeamConnection({
    log,
    onEvent: () => undefined,
    onStatus: () => undefined,
    about: { version: '1.0.0', label: 'desk' },
    devices: { get: () => kept, set: (device) => void (kept = device), clear: () => void (kept = undefined) },
    startSubscriber,
    enrolDesktop: async (code) => (enrolments.push(code), credentials(code)),
    ...overrides,
  });
  const settled = () => new Promise((resolve) => setTimeout(resolve, 0));
  return { team, started, enrolments, log, kept: () => kept, settled };
}

describe('team connection', () => {
  it('trades a join code once for its own credentials and runs one subscriber with them; a new code enrols anew', async () => {
    const { team, started, enrolments, kept, settled } = connection();
    await team.sync({ mode: 'team', joinCode: joinCode('a') });
    await team.sync({ mode: 'team', joinCode: joinCode('a') });
    await settled();
    expect(enrolments.map((code) => code.invite)).toEqual(['aaaaaaaa']);
    expect(started).toHaveLength(1);
    expect(started[0]?.options.device.username).toBe('device-aaaaaaaa');
    expect(team.status()).toEqual({ state: 'connecting', teamServer: 'unknown' });
    await team.sync({ mode: 'team', joinCode: joinCode('b', '205_2222223') });
    await settled();
    expect(started).toHaveLength(2);
    expect(started[0]?.stops).toEqual([{ forget: false }]);
    expect(started[1]?.options.device.agent).toBe('205_2222223');
    expect(kept()?.invite).toBe('bbbbbbbb');
  });

  it('uses the credentials it kept for the same join code after a restart, without enrolling again', async () => {
    const first = connection();
    await first.team.sync({ mode: 'team', joinCode: joinCode('a') });
    await first.settled();
    const saved = first.kept();
    const enrolDesktop = vi.fn();
    const again = connection({ enrolDesktop, devices: { get: () => saved, set: () => undefined, clear: () => undefined } });
    await again.team.sync({ mode: 'team', joinCode: joinCode('a') });
    await again.settled();
    expect(enrolDesktop).not.toHaveBeenCalled();
    expect(again.started[0]?.options.device).toEqual(saved);
  });

  it('shows why a join code was refused and stops asking; asks again while the team server is away', async () => {
    const refused = connection({
      enrolDesktop: async () => {
        throw new EnrolFailure('this join code was used already', true);
      },
      retryEnrolMs: 1,
    });
    await refused.team.sync({ mode: 'team', joinCode: joinCode('a') });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(refused.team.status()).toEqual({ state: 'offline', teamServer: 'unknown', reason: 'this join code was used already' });
    expect(refused.started).toHaveLength(0);

    let attempts = 0;
    const away = connection({
      enrolDesktop: async (code) => {
        attempts += 1;
        if (attempts < 3) throw new EnrolFailure('the team server did not answer', false);
        return credentials(code);
      },
      retryEnrolMs: 1,
    });
    await away.team.sync({ mode: 'team', joinCode: joinCode('a') });
    await vi.waitFor(() => expect(away.started).toHaveLength(1));
    expect(attempts).toBe(3);
  });

  it('ignores what a stopped subscriber reports late, so it never overwrites the next one', async () => {
    const onStatus = vi.fn();
    const { team, started, settled } = connection({ onStatus });
    await team.sync({ mode: 'team', joinCode: joinCode('a') });
    await settled();
    await team.sync({ mode: 'team', joinCode: joinCode('b') });
    await settled();
    onStatus.mockClear();
    started[1]?.report({ state: 'connected', teamServer: 'online' });
    started[0]?.report({ state: 'offline', reason: 'connection closed' });
    expect(team.status()).toEqual({ state: 'connected', teamServer: 'online' });
    expect(onStatus).toHaveBeenCalledTimes(1);
  });

  it('stops, forgets its credentials and lets the broker forget this desktop when it leaves the team; keeps its queue when the code is bad', async () => {
    const { team, started, log, kept, settled } = connection();
    await team.sync({ mode: 'team', joinCode: joinCode('a') });
    await settled();
    await team.sync({ mode: 'team', joinCode: 'tcmi2.damaged' });
    expect(started[0]?.stops).toEqual([{ forget: false }]);
    expect(log.lines).toContainEqual(
      expect.objectContaining({ level: 'warn', message: 'the saved join code is not valid: join the team again' }),
    );
    expect(kept()).toBeDefined();
    await team.sync({ mode: 'team', joinCode: joinCode('a') });
    await settled();
    await team.sync({ mode: 'receiver', joinCode: undefined });
    expect(started[1]?.stops).toEqual([{ forget: true }]);
    expect(team.status()).toBeNull();
    expect(kept()).toBeUndefined();
  });
});

describe('network watch', () => {
  beforeEach(() => void vi.useFakeTimers());
  afterEach(() => void vi.useRealTimers());

  it('reconnects once when the network comes back, not while it stays up or down', () => {
    let online = true;
    const onBack = vi.fn();
    const stop = watchNetwork(() => online, onBack, 100);
    vi.advanceTimersByTime(300);
    online = false;
    vi.advanceTimersByTime(300);
    expect(onBack).not.toHaveBeenCalled();
    online = true;
    vi.advanceTimersByTime(300);
    expect(onBack).toHaveBeenCalledTimes(1);
    stop();
  });
});

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { encodeJoinCode } from '../../../../src/core/team/joinCode';
import { createTeamConnection, watchNetwork } from '../../../../src/core/team/desktop/teamConnection';
import type { SubscriberState, TeamSubscriberOptions } from '../../../../src/core/team/desktop/teamSubscriber';
import { recordingLogger } from '../../../support/fakes';

const joinCode = (agent: string): string =>
  encodeJoinCode({ v: 1, url: 'ws://127.0.0.1:9', username: agent, password: 'a-password-of-enough-length', agent, teams: [] });

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

describe('team connection', () => {
  it('runs one subscriber while in team mode with a valid code, and starts anew only for a new code or client id', async () => {
    const { started, startSubscriber } = fakeSubscribers();
    const team = createTeamConnection({ log: recordingLogger(), onEvent: () => undefined, onStatus: () => undefined, startSubscriber });
    await team.sync({ mode: 'team', joinCode: joinCode('204_2222223'), clientId: 'telecmi-desktop-a' });
    await team.sync({ mode: 'team', joinCode: joinCode('204_2222223'), clientId: 'telecmi-desktop-a' });
    expect(started).toHaveLength(1);
    expect(team.status()).toEqual({ state: 'connecting', teamServer: 'unknown' });
    await team.sync({ mode: 'team', joinCode: joinCode('205_2222223'), clientId: 'telecmi-desktop-a' });
    expect(started).toHaveLength(2);
    expect(started[0]?.stops).toEqual([{ forget: false }]);
    expect(started[1]?.options.code.agent).toBe('205_2222223');
  });

  it('ignores what a stopped subscriber reports late, so it never overwrites the next one', async () => {
    const { started, startSubscriber } = fakeSubscribers();
    const onStatus = vi.fn();
    const team = createTeamConnection({ log: recordingLogger(), onEvent: () => undefined, onStatus, startSubscriber });
    await team.sync({ mode: 'team', joinCode: joinCode('204_2222223'), clientId: 'telecmi-desktop-a' });
    await team.sync({ mode: 'team', joinCode: joinCode('204_2222223'), clientId: 'telecmi-desktop-b' });
    started[1]?.report({ state: 'connected', teamServer: 'online' });
    started[0]?.report({ state: 'offline', reason: 'connection closed' });
    expect(team.status()).toEqual({ state: 'connected', teamServer: 'online' });
    expect(onStatus).toHaveBeenCalledTimes(1);
  });

  it('stops and lets the broker forget this desktop when it leaves the team; keeps its queue when the code is bad', async () => {
    const { started, startSubscriber } = fakeSubscribers();
    const log = recordingLogger();
    const team = createTeamConnection({ log, onEvent: () => undefined, onStatus: () => undefined, startSubscriber });
    await team.sync({ mode: 'team', joinCode: joinCode('204_2222223'), clientId: 'telecmi-desktop-a' });
    await team.sync({ mode: 'team', joinCode: 'tcmi1.damaged', clientId: 'telecmi-desktop-a' });
    expect(started[0]?.stops).toEqual([{ forget: false }]);
    expect(log.lines).toContainEqual(
      expect.objectContaining({ level: 'warn', message: 'the saved join code is not valid: join the team again' }),
    );
    await team.sync({ mode: 'team', joinCode: joinCode('204_2222223'), clientId: 'telecmi-desktop-a' });
    await team.sync({ mode: 'receiver', joinCode: undefined, clientId: 'telecmi-desktop-a' });
    expect(started[1]?.stops).toEqual([{ forget: true }]);
    expect(team.status()).toBeNull();
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

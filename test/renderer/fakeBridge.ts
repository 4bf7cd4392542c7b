import type { TelecmiBridge } from '../../src/core/ipc/ipcContract';

export interface FakeBridgeFixture {
  /** Answers of invoke channels, by channel. */
  answers: Record<string, unknown>;
}

export interface FakeBridgeControl {
  invocations: Array<{ channel: string; args: unknown[] }>;
  push(channel: string, payload: unknown): void;
  answers: Record<string, unknown>;
}

/**
 * A test implementation of the preload API, injected before the page's scripts. It runs in the
 * browser, so it must not use anything from this module's scope.
 */
export function installFakeBridge(fixture: FakeBridgeFixture): void {
  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  const control: FakeBridgeControl = {
    invocations: [],
    answers: fixture.answers,
    push(channel, payload) {
      for (const listener of listeners.get(channel) ?? []) listener(payload);
    },
  };
  const bridge = {
    invoke: async (channel: string, ...args: unknown[]) => {
      control.invocations.push({ channel, args });
      // Saving settings answers them laid over the current ones, as the app does when the schema accepts them.
      if (channel === 'settings:update' && !(channel in control.answers)) {
        return { ok: true, settings: { ...(control.answers['settings:get'] as object), ...(args[0] as object) } };
      }
      return control.answers[channel];
    },
    on: (channel: string, listener: (payload: unknown) => void) => {
      const set = listeners.get(channel) ?? new Set();
      set.add(listener);
      listeners.set(channel, set);
      return () => set.delete(listener);
    },
  } as unknown as TelecmiBridge;
  Object.assign(globalThis, { telecmi: bridge, fakeBridge: control });
}

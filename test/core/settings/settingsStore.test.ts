import { describe, expect, it } from 'vitest';
import { createSettingsStore } from '../../../src/core/settings/settingsStore';
import type { Settings } from '../../../src/core/settings/settingsSchema';
import { recordingLogger } from '../../support/fakes';

function open(stored: unknown) {
  const written: Settings[] = [];
  const log = recordingLogger();
  const store = createSettingsStore({ file: { read: () => stored, write: (value) => void written.push(value) }, log });
  return { store, written, log };
}

describe('settings store', () => {
  it('starts from defaults with a generated token, and writes them at once', () => {
    const { store, written } = open(undefined);
    expect(store.get()).toMatchObject({ host: '127.0.0.1', port: 8787, maxCalls: 1000, agents: [], pausedUntil: null });
    expect(store.get().token).toMatch(/^[\w-]{32}$/);
    expect(written).toEqual([store.get()]);
  });

  it('resets only the invalid values, logs which without their content, and keeps the rest', () => {
    const token = 'a-saved-token-of-the-user-0123456';
    const { store, log } = open({ port: 'eighty', token, agents: ['204'], maxCalls: -3, crmUrlTemplate: 'javascript:alert({from})' });
    expect(store.get()).toMatchObject({ port: 8787, token, agents: ['204'], maxCalls: 1000, crmUrlTemplate: '' });
    expect(log.lines.map((line) => line.message)).toEqual([
      'setting "port" was invalid and is reset to its default',
      'setting "crmUrlTemplate" was invalid and is reset to its default',
      'setting "maxCalls" was invalid and is reset to its default',
    ]);
    expect(JSON.stringify(log.lines)).not.toContain(token);
  });

  it('replaces a token that is too weak', () => {
    const { store } = open({ token: 'short' });
    expect(store.get().token).not.toBe('short');
    expect(store.get().token).toMatch(/^[\w-]{32}$/);
  });

  it('refuses an update with the schema messages and keeps the settings', () => {
    const { store } = open({});
    const before = store.get();
    expect(store.update({ ...before, port: 0, teams: [''] })).toEqual({
      ok: false,
      issues: [
        { path: 'port', message: 'must be between 1 and 65535' },
        { path: 'teams.0', message: 'must not be empty' },
      ],
    });
    expect(store.get()).toBe(before);
  });

  it('tells listeners what changed', () => {
    const { store } = open({});
    const seen: Array<[number, number]> = [];
    store.onChange((next, previous) => seen.push([previous.port, next.port]));
    store.update({ ...store.get(), port: 9000 });
    expect(seen).toEqual([[8787, 9000]]);
  });
});

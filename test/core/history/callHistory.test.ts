import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Conf from 'conf';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { newCallRecord } from '../../../src/core/calls/callLifecycle';
import type { CallRecord } from '../../../src/core/calls/callRecord';
import { createCallHistory } from '../../../src/core/history/callHistory';
import { openHistoryFile } from '../../../src/core/history/historyFile';
import { silentLogger } from '../../../src/core/log/logger';
import { agentCall } from '../../support/events';
import { memoryStore, recordingLogger } from '../../support/fakes';

const call = (id: string): CallRecord => newCallRecord(agentCall(id).started);

function historyFile(dir: string, log = silentLogger) {
  return openHistoryFile({
    filePath: join(dir, 'calls.json'),
    open: () => new Conf({ cwd: dir, configName: 'calls', clearInvalidConfig: false }),
    log,
  });
}

describe('call history', () => {
  beforeEach(() => void vi.useFakeTimers());
  afterEach(() => void vi.useRealTimers());

  it('lists calls newest first', () => {
    const history = createCallHistory({ store: memoryStore(), maxCalls: 10, log: silentLogger });
    ['a', 'b', 'c'].forEach((id) => history.upsert(call(id)));
    expect(history.list().map((record) => record.id)).toEqual(['leg-b-c', 'leg-b-b', 'leg-b-a']);
  });

  it('records a call and tells the other listeners even when one listener fails', () => {
    const log = recordingLogger();
    const history = createCallHistory({ store: memoryStore(), maxCalls: 10, log });
    const heard: string[] = [];
    history.onChange(() => {
      throw new TypeError('Object has been destroyed');
    });
    history.onChange((change) => heard.push(change.type));
    expect(() => history.upsert(call('a'))).not.toThrow();
    expect(history.size()).toBe(1);
    expect(heard).toEqual(['upserted']);
    expect(log.lines.map((line) => line.message)).toEqual(['a history listener failed']);
  });

  it('keeps a call in its place when it is updated', () => {
    const history = createCallHistory({ store: memoryStore(), maxCalls: 10, log: silentLogger });
    ['a', 'b'].forEach((id) => history.upsert(call(id)));
    history.upsert({ ...call('a'), state: 'answered' });
    expect(history.list().map((record) => `${record.id}:${record.state}`)).toEqual(['leg-b-b:ringing', 'leg-b-a:answered']);
  });

  it('drops the oldest calls beyond the cap and says which', () => {
    const history = createCallHistory({ store: memoryStore(), maxCalls: 3, log: silentLogger });
    const removed: string[] = [];
    history.onChange((change) => change.type === 'removed' && removed.push(...change.ids));
    ['a', 'b', 'c', 'd', 'e'].forEach((id) => history.upsert(call(id)));
    expect(history.list().map((record) => record.id)).toEqual(['leg-b-e', 'leg-b-d', 'leg-b-c']);
    expect(removed).toEqual(['leg-b-a', 'leg-b-b']);
    expect(history.inConversation('conversation-a')).toEqual([]);
  });

  it('applies a lower cap at once', () => {
    const history = createCallHistory({ store: memoryStore(), maxCalls: 10, log: silentLogger });
    ['a', 'b', 'c'].forEach((id) => history.upsert(call(id)));
    history.setMaxCalls(1);
    expect(history.list().map((record) => record.id)).toEqual(['leg-b-c']);
  });

  it('writes a burst of changes in one batch, not once per change', () => {
    const store = memoryStore();
    const history = createCallHistory({ store, maxCalls: 100, log: silentLogger, flushDelayMs: 500 });
    for (let index = 0; index < 50; index += 1) history.upsert(call(`batch-${index}`));
    expect(store.saves).toHaveLength(0);
    vi.advanceTimersByTime(500);
    expect(store.saves).toHaveLength(1);
    expect(store.saves[0]).toHaveLength(50);
  });

  it('writes pending changes on close', () => {
    const store = memoryStore();
    const history = createCallHistory({ store, maxCalls: 100, log: silentLogger });
    history.upsert(call('closing'));
    history.close();
    expect(store.saves.at(-1)?.map((record) => record.id)).toEqual(['leg-b-closing']);
  });

  it('retries a write that failed, and reports it', () => {
    const log = recordingLogger();
    let failures = 1;
    const saved: CallRecord[][] = [];
    const store = {
      load: () => [],
      save: (calls: readonly CallRecord[]) => {
        if (failures-- > 0) throw new Error('disk full');
        saved.push([...calls]);
      },
    };
    const history = createCallHistory({ store, maxCalls: 10, log, flushDelayMs: 100 });
    history.upsert(call('retry'));
    vi.advanceTimersByTime(100);
    expect(log.lines.some((line) => line.level === 'error')).toBe(true);
    vi.advanceTimersByTime(100);
    expect(saved).toHaveLength(1);
  });

  it('marks calls read', () => {
    const history = createCallHistory({ store: memoryStore(), maxCalls: 10, log: silentLogger });
    history.upsert(call('unread'));
    history.markRead(['leg-b-unread']);
    expect(history.get('leg-b-unread')?.read).toBe(true);
  });

  it('marks thousands of calls read in one change, and counts the unread', () => {
    const history = createCallHistory({ store: memoryStore(), maxCalls: 5000, log: silentLogger });
    for (let index = 0; index < 5000; index += 1) history.upsert(call(`many-${index}`));
    const changes: string[] = [];
    history.onChange((change) => changes.push(change.type));
    expect(history.unreadCount()).toBe(5000);
    history.markAllRead();
    expect(changes).toEqual(['read']);
    expect(history.unreadCount()).toBe(0);
    expect(history.list().map((record) => record.id).slice(0, 2)).toEqual(['leg-b-many-4999', 'leg-b-many-4998']);
  });
});

describe('history file', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'telecmi-history-'));
  });

  it('keeps calls across a restart', () => {
    const first = createCallHistory({ store: historyFile(dir), maxCalls: 10, log: silentLogger });
    ['a', 'b'].forEach((id) => first.upsert(call(id)));
    first.close();
    const second = createCallHistory({ store: historyFile(dir), maxCalls: 10, log: silentLogger });
    expect(second.list()).toEqual(first.list());
    expect(second.list().map((record) => record.id)).toEqual(['leg-b-b', 'leg-b-a']);
  });

  it('moves a file that is not JSON aside, reports it and starts empty', () => {
    writeFileSync(join(dir, 'calls.json'), '{"calls": [ this is not json');
    const log = recordingLogger();
    const history = createCallHistory({ store: historyFile(dir, log), maxCalls: 10, log });
    expect(history.list()).toEqual([]);
    const aside = readdirSync(dir).find((file) => file.startsWith('calls.json.corrupt-'));
    expect(aside).toBeDefined();
    expect(readFileSync(join(dir, aside ?? ''), 'utf8')).toContain('this is not json');
    expect(log.lines.find((line) => line.level === 'warn')?.details).toMatchObject({ keptAt: join(dir, aside ?? '') });
    history.upsert(call('after'));
    history.close();
    expect(historyFile(dir).load().map((record) => record.id)).toEqual(['leg-b-after']);
  });

  it('keeps the valid calls of a file with invalid records, and a copy of the original', () => {
    writeFileSync(join(dir, 'calls.json'), JSON.stringify({ calls: [call('good'), { id: 'half a record' }] }));
    const log = recordingLogger();
    expect(historyFile(dir, log).load().map((record) => record.id)).toEqual(['leg-b-good']);
    expect(readdirSync(dir).some((file) => file.startsWith('calls.json.corrupt-'))).toBe(true);
    expect(log.lines.find((line) => line.level === 'warn')?.details?.reason).toMatch(/1 of 2 calls/);
  });

  it('starts empty when "calls" is not a list', () => {
    writeFileSync(join(dir, 'calls.json'), JSON.stringify({ calls: 'nope' }));
    expect(historyFile(dir).load()).toEqual([]);
    expect(readdirSync(dir).some((file) => file.startsWith('calls.json.corrupt-'))).toBe(true);
  });
});

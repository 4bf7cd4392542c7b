import { mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type * as Sqlite from 'node-sqlite3-wasm';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { newCallRecord } from '../../../src/core/calls/callLifecycle';
import type { CallRecord } from '../../../src/core/calls/callRecord';
import { beforeEverySeq, openCallDatabase, type CallDatabase } from '../../../src/core/history/callDatabase';
import { createCallHistory, type CallHistory } from '../../../src/core/history/callHistory';
import { openHistoryDatabase } from '../../../src/core/history/historyFolder';
import type { SaveState } from '../../../src/core/history/saveState';
import { silentLogger } from '../../../src/core/log/logger';
import { agentCall } from '../../support/events';
import { memoryDatabase, recordingLogger } from '../../support/fakes';

const call = (id: string): CallRecord => newCallRecord(agentCall(id).started);

describe('call history', () => {
  beforeEach(() => void vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] }));
  afterEach(() => void vi.useRealTimers());

  it('lists calls newest first', async () => {
    const history = createCallHistory({ database: memoryDatabase(), maxCalls: 10, log: silentLogger });
    ['a', 'b', 'c'].forEach((id) => history.upsert(call(id)));
    expect((await history.list()).map((record) => record.id)).toEqual(['leg-b-c', 'leg-b-b', 'leg-b-a']);
  });

  it('records a call and tells the other listeners even when one listener fails', () => {
    const log = recordingLogger();
    const history = createCallHistory({ database: memoryDatabase(), maxCalls: 10, log });
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

  it('keeps a call in its place when it is updated', async () => {
    const history = createCallHistory({ database: memoryDatabase(), maxCalls: 10, log: silentLogger });
    ['a', 'b'].forEach((id) => history.upsert(call(id)));
    history.upsert({ ...call('a'), state: 'answered' });
    expect((await history.list()).map((record) => `${record.id}:${record.state}`)).toEqual(['leg-b-b:ringing', 'leg-b-a:answered']);
  });

  it('drops the oldest calls beyond the cap and says which', async () => {
    const history = createCallHistory({ database: memoryDatabase(), maxCalls: 3, log: silentLogger });
    const removed: string[] = [];
    history.onChange((change) => change.type === 'removed' && removed.push(...change.ids));
    ['a', 'b', 'c', 'd', 'e'].forEach((id) => history.upsert(call(id)));
    expect((await history.list()).map((record) => record.id)).toEqual(['leg-b-e', 'leg-b-d', 'leg-b-c']);
    expect(removed).toEqual(['leg-b-a', 'leg-b-b']);
    expect(history.inConversation('conversation-a')).toEqual([]);
  });

  it('applies a lower cap at once', async () => {
    const history = createCallHistory({ database: memoryDatabase(), maxCalls: 10, log: silentLogger });
    ['a', 'b', 'c'].forEach((id) => history.upsert(call(id)));
    history.setMaxCalls(1);
    expect((await history.list()).map((record) => record.id)).toEqual(['leg-b-c']);
  });

  it('writes a burst of changes in one transaction, not once per change', () => {
    const database = countingWrites(memoryDatabase());
    const history = createCallHistory({ database, maxCalls: 100, log: silentLogger, flushDelayMs: 500 });
    for (let index = 0; index < 50; index += 1) history.upsert(call(`batch-${index}`));
    expect(database.writes).toEqual([]);
    vi.advanceTimersByTime(500);
    expect(database.writes).toEqual([50]);
  });

  it('writes pending changes on close, and says they are saved', () => {
    const database = countingWrites(memoryDatabase());
    const history = createCallHistory({ database, maxCalls: 100, log: silentLogger });
    history.upsert(call('closing'));
    expect(history.close()).toBe(true);
    expect(database.writes).toEqual([1]);
  });

  it('keeps, reports and retries a write the disk refused, without blocking, and says so on close', async () => {
    const log = recordingLogger();
    const database = memoryDatabase();
    let refusals = 2;
    const write = database.write;
    database.write = (changes) => {
      if (refusals-- > 0) throw new Error('attempt to write a readonly database');
      write(changes);
    };
    const states: SaveState[] = [];
    const history = createCallHistory({ database, maxCalls: 10, log, flushDelayMs: 100, onSaveState: (state) => states.push(state) });
    history.upsert(call('retry'));
    const started = performance.now();
    await vi.advanceTimersByTimeAsync(100);
    expect(performance.now() - started).toBeLessThan(100);
    expect(history.saveState()).toEqual({ saved: false, error: 'attempt to write a readonly database', unsaved: 1 });
    expect(log.lines.filter((line) => line.level === 'error').map((line) => line.message)).toEqual([
      'the call history could not be saved; will retry',
    ]);
    await vi.advanceTimersByTimeAsync(1000);
    expect(history.saveState().saved).toBe(false);
    await vi.advanceTimersByTimeAsync(2000);
    expect(history.saveState()).toEqual({ saved: true });
    expect(states.map((state) => state.saved)).toEqual([false, true]);
    expect(database.get('leg-b-retry')?.id).toBe('leg-b-retry');
  });

  it('answers close truthfully when the history could not be written', () => {
    const database = memoryDatabase();
    database.write = () => {
      throw new Error('disk I/O error');
    };
    const history = createCallHistory({ database, maxCalls: 10, log: silentLogger });
    history.upsert(call('lost'));
    expect(history.close()).toBe(false);
  });

  it('saves the other calls when one cannot be serialised', () => {
    const log = recordingLogger();
    const database = openCallDatabase(undefined, log);
    const history = createCallHistory({ database, maxCalls: 10, log });
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    history.upsert({ ...call('bad'), events: [cyclic] });
    history.upsert(call('good'));
    expect(history.flush()).toBe(true);
    history.upsert(call('later'));
    expect(history.flush()).toBe(true);
    expect(database.oldestAfter(beforeEverySeq, 10).map((call) => call.id)).toEqual(['leg-b-good', 'leg-b-later']);
    expect(log.lines.filter((line) => line.level === 'error').map((line) => line.details?.call)).toEqual(['leg-b-bad']);
  });

  it('counts the unread right when calls marked read are evicted before that is written', () => {
    const history = createCallHistory({ database: memoryDatabase(), maxCalls: 3, log: silentLogger, flushDelayMs: 1e9 });
    ['a', 'b', 'c'].forEach((id) => history.upsert(call(id)));
    history.flush();
    history.markRead(['leg-b-a']);
    history.upsert(call('d'));
    expect(history.unreadCount()).toBe(3);
    history.markAllRead();
    history.setMaxCalls(1);
    expect(history.unreadCount()).toBe(0);
    expect(history.size()).toBe(1);
  });

  it('finds a call evicted and added again in its conversation before that is written', () => {
    const history = createCallHistory({ database: memoryDatabase(), maxCalls: 2, log: silentLogger, flushDelayMs: 1e9 });
    ['a', 'b'].forEach((id) => history.upsert(call(id)));
    history.flush();
    history.upsert(call('c'));
    history.upsert(call('a'));
    expect(history.inConversation('conversation-a').map((record) => record.id)).toEqual(['leg-b-a']);
  });

  it('lists what is true at the end when calls change while the pages are read', async () => {
    vi.useRealTimers();
    const history = createCallHistory({ database: memoryDatabase(), maxCalls: 5000, log: silentLogger, flushDelayMs: 1e9 });
    for (let index = 0; index < 1500; index += 1) history.upsert(call(`many-${index}`));
    history.flush();
    const listing = history.list();
    for (let index = 0; index < 10; index += 1) history.upsert(call(`during-${index}`));
    history.markRead(['leg-b-many-1499']);
    history.flush();
    const listed = await listing;
    expect(listed).toHaveLength(1510);
    expect(listed[0]?.id).toBe('leg-b-during-9');
    expect(listed.find((record) => record.id === 'leg-b-many-1499')?.read).toBe(true);
    const clearing = history.list();
    history.clear();
    history.flush();
    expect(await clearing).toEqual([]);
  });

  it('marks calls read', () => {
    const history = createCallHistory({ database: memoryDatabase(), maxCalls: 10, log: silentLogger });
    history.upsert(call('unread'));
    history.markRead(['leg-b-unread']);
    expect(history.get('leg-b-unread')?.read).toBe(true);
  });

  it('marks thousands of calls read in one change, and counts the unread', async () => {
    const history = createCallHistory({ database: memoryDatabase(), maxCalls: 5000, log: silentLogger });
    for (let index = 0; index < 5000; index += 1) history.upsert(call(`many-${index}`));
    const changes: string[] = [];
    history.onChange((change) => changes.push(change.type));
    expect(history.unreadCount()).toBe(5000);
    history.markAllRead();
    expect(changes).toEqual(['read']);
    expect(history.unreadCount()).toBe(0);
    expect((await history.list()).map((record) => record.id).slice(0, 2)).toEqual(['leg-b-many-4999', 'leg-b-many-4998']);
  });
});

describe('history database in a data folder', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'telecmi-history-'));
  });
  const open = (maxCalls = 10, log = silentLogger) => createCallHistory({ database: openHistoryDatabase(dir, log), maxCalls, log });

  it('keeps calls, read flags and recent event keys across a restart', async () => {
    const first = open();
    ['a', 'b'].forEach((id) => first.upsert(call(id)));
    first.markRead(['leg-b-a']);
    first.rememberEventKey('event-1');
    const listed = await first.list();
    expect(first.close()).toBe(true);
    const second = open();
    expect(await second.list()).toEqual(listed);
    expect(listed.map((record) => `${record.id}:${record.read}`)).toEqual(['leg-b-b:false', 'leg-b-a:true']);
    expect(second.unreadCount()).toBe(1);
    expect(second.recentEventKeys()).toEqual(['event-1']);
    second.close();
  });

  it('keeps "mark all read" and "clear" across a restart', async () => {
    const first = open();
    ['a', 'b'].forEach((id) => first.upsert(call(id)));
    first.flush();
    first.markAllRead();
    first.close();
    const second = open();
    expect(second.unreadCount()).toBe(0);
    second.clear();
    second.upsert(call('c'));
    second.close();
    expect((await open().list()).map((record) => record.id)).toEqual(['leg-b-c']);
  });

  it('moves the calls of an older calls.json into the database, keeping the file aside', async () => {
    writeFileSync(join(dir, 'calls.json'), JSON.stringify({ calls: [call('newer'), call('older'), { id: 'half a record' }] }));
    const log = recordingLogger();
    const history = open(10, log);
    expect((await history.list()).map((record) => record.id)).toEqual(['leg-b-newer', 'leg-b-older']);
    const files = readdirSync(dir);
    expect(files.some((file) => file.startsWith('calls.json.migrated-'))).toBe(true);
    expect(files.some((file) => file.startsWith('calls.json.corrupt-'))).toBe(true);
    expect(files).not.toContain('calls.json');
    expect(log.lines.find((line) => line.level === 'warn')?.details?.reason).toMatch(/1 of 3 calls/);
  });

  it.each([['[1,2,3]'], ['null'], ['{"calls": [ this is not json']])(
    'keeps aside, with a warning, a calls.json that holds %s',
    async (content) => {
      writeFileSync(join(dir, 'calls.json'), content);
      const log = recordingLogger();
      const history = open(10, log);
      expect(await history.list()).toEqual([]);
      const aside = readdirSync(dir).find((file) => file.startsWith('calls.json.corrupt-'));
      expect(readFileSync(join(dir, aside ?? ''), 'utf8')).toBe(content);
      expect(log.lines.find((line) => line.level === 'warn')?.details).toMatchObject({ keptAt: join(dir, aside ?? '') });
    },
  );

  it('moves a calls.db that is not a database aside and starts afresh', async () => {
    writeFileSync(join(dir, 'calls.db'), 'this is no database, but it is long enough to have a header of sorts '.repeat(20));
    const log = recordingLogger();
    const history = open(10, log);
    expect(await history.list()).toEqual([]);
    expect(readdirSync(dir).some((file) => file.startsWith('calls.db.corrupt-'))).toBe(true);
    history.upsert(call('after'));
    history.close();
    expect((await open().list()).map((record) => record.id)).toEqual(['leg-b-after']);
  });

  it('keeps a copy of the calls a lowered cap removes, at start and when changed', async () => {
    const first = open(10);
    ['a', 'b', 'c', 'd'].forEach((id) => first.upsert(call(id)));
    first.close();
    const log = recordingLogger();
    const second = open(3, log);
    expect((await second.list()).map((record) => record.id)).toEqual(['leg-b-d', 'leg-b-c', 'leg-b-b']);
    second.setMaxCalls(2);
    second.close();
    // Two copies, even when made in the same millisecond.
    const copies = readdirSync(dir).filter((file) => file.startsWith('calls.db.removed-'));
    const kept = copies.map((file) => (JSON.parse(readFileSync(join(dir, file), 'utf8')) as CallRecord[]).map((record) => record.id));
    expect(kept.sort()).toEqual([['leg-b-a'], ['leg-b-b']]);
    expect(log.lines.filter((line) => line.level === 'warn').map((line) => line.details?.count)).toEqual([1, 1]);
  });

  it('takes over the lock a killed process left, and refuses one a running process holds', () => {
    open().close();
    mkdirSync(join(dir, 'calls.db.lock'));
    writeFileSync(join(dir, 'calls.db.owner'), String(process.ppid));
    expect(() => open()).toThrow(`the call history is in use by another process (pid ${process.ppid}): stop it first`);
    writeFileSync(join(dir, 'calls.db.owner'), '2147483646');
    const log = recordingLogger();
    const history = open(10, log);
    history.upsert(call('after-the-kill'));
    expect(history.close()).toBe(true);
    expect(log.lines.map((line) => line.message)).toContain('removed the lock a stopped process left on the call history');
    expect(readdirSync(dir).filter((name) => name.startsWith('calls.db.'))).toEqual([]);
  });

  it('never takes the lock of a reader, and closes twice without harm', () => {
    open().close();
    const reader = openCallDatabase(join(dir, 'calls.db'), silentLogger, { readOnly: true });
    reader.counts();
    expect(() => open()).toThrow(/in use by another process/);
    reader.close();
    reader.close();
    const history = open();
    expect(history.close()).toBe(true);
    expect(history.close()).toBe(true);
  });

  it('finishes moving a calls.json whose move was cut off', async () => {
    open().close();
    writeFileSync(join(dir, 'calls.json'), JSON.stringify({ calls: [call('left-behind')] }));
    expect((await open().list()).map((record) => record.id)).toEqual(['leg-b-left-behind']);
  });

  it('makes the database file readable by its user only', () => {
    open().close();
    if (process.platform !== 'win32') expect(statSync(join(dir, 'calls.db')).mode & 0o777).toBe(0o600);
  });
});

/** Counts the calls each transaction wrote. */
function countingWrites(database: CallDatabase): CallDatabase & { writes: number[] } {
  const writes: number[] = [];
  const write = database.write;
  return Object.assign(database, {
    writes,
    write: (changes: Parameters<CallDatabase['write']>[0]) => {
      writes.push(changes.upserts.length);
      write(changes);
    },
  });
}

describe('a caller’s calls', () => {
  const callFrom = (id: string, from: string) => newCallRecord(agentCall(id, { from }).started);

  /** How many conversations the history knows from a number (counted exactly, through all its calls); undefined while not known yet. */
  const known = (history: CallHistory, digits: string) =>
    history.callerCounts(digits, { conversationId: 'probe', startedAt: Number.MAX_SAFE_INTEGER }, 0)?.today;

  it('indexes a caller’s calls, written or not, and forgets those removed', () => {
    const history = createCallHistory({
      database: memoryDatabase([callFrom('1', '919876543210'), callFrom('2', '442079460000')]),
      maxCalls: 3,
      log: silentLogger,
    });
    history.upsert(callFrom('3', '919876543210'));
    expect(known(history, '919876543210')).toBe(2);
    history.upsert(callFrom('4', '919876543210'));
    history.upsert(callFrom('5', '919876543210'));
    // At the cap of 3 the oldest ones went.
    expect(known(history, '919876543210')).toBe(3);
    expect(known(history, '442079460000')).toBe(0);
    history.clear();
    expect(known(history, '919876543210')).toBe(0);
  });

  it('tells no caller’s calls while a large history’s ids are still being read, and all of them after', async () => {
    const many = Array.from({ length: 12_000 }, (_, index) =>
      callFrom(`old-${index}`, index % 3000 === 0 ? '919876543210' : `4420${String(index).padStart(8, '0')}`),
    );
    const history = createCallHistory({ database: memoryDatabase(many), maxCalls: 20_000, log: silentLogger });
    history.upsert(callFrom('new', '919876543210'));
    // A popup does not wait for the reading: better no history line than a wrong count.
    expect(known(history, '919876543210')).toBeUndefined();
    await vi.waitFor(() => expect(known(history, '919876543210')).toBe(5));
  });

  it('knows a small history’s callers at once', () => {
    const history = createCallHistory({ database: memoryDatabase([callFrom('1', '919876543210')]), maxCalls: 10, log: silentLogger });
    expect(known(history, '919876543210')).toBe(1);
  });

  it('finds the calls of a conversation in a large history asked for first, before its ids are read', () => {
    const many = Array.from({ length: 12_000 }, (_, index) => callFrom(`old-${index}`, '442079460000'));
    const history = createCallHistory({ database: memoryDatabase(many), maxCalls: 20_000, log: silentLogger });
    const last = many[11_999] as CallRecord;
    expect(history.inConversation(last.conversationId).map((record) => record.id)).toEqual([last.id]);
    expect(history.inConversation('no-such-conversation')).toEqual([]);
  });

  it('gives a conversation’s calls earliest first, even when a new one is known before the older ones are read', () => {
    const leg = (id: string, time: number) => newCallRecord(agentCall(id, { conversation_uuid: 'shared', time }).started);
    const many = Array.from({ length: 12_000 }, (_, index) => callFrom(`old-${index}`, '442079460000'));
    const history = createCallHistory({
      database: memoryDatabase([...many, leg('x1', 1_700_000_000_000), leg('x2', 1_700_000_001_000)]),
      maxCalls: 20_000,
      log: silentLogger,
    });
    history.upsert(leg('x3', 1_700_000_002_000));
    expect(history.inConversation('shared').map((record) => record.id)).toEqual(['leg-b-x1', 'leg-b-x2', 'leg-b-x3']);
  });

  it('goes on from what it knows when the database fails the reading of ids, and says so once', async () => {
    const many = Array.from({ length: 12_000 }, (_, index) => callFrom(`old-${index}`, '919876543210'));
    const database = memoryDatabase(many);
    const idsAfter = database.idsAfter;
    database.idsAfter = (seq, count) =>
      seq > 0
        ? (() => {
            throw new Error('database disk image is malformed');
          })()
        : idsAfter(seq, count);
    const log = recordingLogger();
    const history = createCallHistory({ database, maxCalls: 20_000, log });
    const errors = () => log.lines.filter((line) => line.level === 'error').map((line) => line.message);
    // The background reading gets to the damaged part (the first chunk reads).
    await vi.waitFor(() => expect(errors()).toHaveLength(1));
    history.upsert(callFrom('new', '919876543210'));
    // The first chunk was read; no caller's calls are told (they would be miscounted), and nothing throws.
    expect(known(history, '919876543210')).toBeUndefined();
    // A call the reading did not reach is still found by its id, and by its conversation.
    const last = many[11_999] as CallRecord;
    expect(history.get(last.id)?.id).toBe(last.id);
    expect(history.inConversation(last.conversationId).map((call) => call.id)).toEqual([last.id]);
    expect(errors()).toEqual([
      "the history could not read all its calls: popups may not count a caller's older calls, nor older calls take their later events",
    ]);
  });

  it('reads a file with odd values in its rows (a blob for a caller, an event key) and closes it cleanly', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'telecmi-odd-history-'));
    const file = join(dir, 'calls.db');
    const database = openCallDatabase(file, silentLogger);
    database.write({
      cleared: false,
      allRead: false,
      upserts: Array.from({ length: 20 }, (_, index) => callFrom(String(index), '919876543210')),
      removed: [],
      eventKeys: ['key-1'],
    });
    database.close();
    const { Database } = createRequire(import.meta.url)('node-sqlite3-wasm') as typeof Sqlite;
    const raw = new Database(file);
    raw.exec(
      "PRAGMA locking_mode = EXCLUSIVE; UPDATE calls SET caller = X'00FF' WHERE seq = 3; INSERT INTO event_keys (key) VALUES (X'00FF');",
    );
    raw.close();
    const log = recordingLogger();
    const history = createCallHistory({ database: openCallDatabase(file, log), maxCalls: 100, log });
    expect(known(history, '919876543210')).toBe(19);
    expect(history.inConversation('conversation-3').map((record) => record.id)).toEqual(['leg-b-3']);
    expect(history.recentEventKeys()).toHaveLength(2);
    expect(history.close()).toBe(true);
    expect(readdirSync(dir).sort()).toEqual(['calls.db']);
    expect(log.lines.filter((line) => line.level === 'error')).toEqual([]);
  });

  it('reads every id of a file whose seqs are beyond 2^53 (exact, none skipped)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'telecmi-big-seq-'));
    const file = join(dir, 'calls.db');
    const database = openCallDatabase(file, silentLogger);
    database.write({
      cleared: false,
      allRead: false,
      upserts: Array.from({ length: 12_000 }, (_, index) => callFrom(String(index), '919876543210')),
      removed: [],
      eventKeys: [],
    });
    database.close();
    const { Database } = createRequire(import.meta.url)('node-sqlite3-wasm') as typeof Sqlite;
    const raw = new Database(file);
    raw.exec('PRAGMA locking_mode = EXCLUSIVE; UPDATE calls SET seq = seq + 4611686018427387904;');
    raw.close();
    const history = createCallHistory({ database: openCallDatabase(file, silentLogger), maxCalls: 20_000, log: silentLogger });
    await vi.waitFor(() => expect(known(history, '919876543210')).toBe(12_000));
    history.close();
  });

  it('forgets the calls of a large history cleared while its ids are still being read', async () => {
    const many = Array.from({ length: 12_000 }, (_, index) => callFrom(`old-${index}`, '919876543210'));
    const history = createCallHistory({ database: memoryDatabase(many), maxCalls: 20_000, log: silentLogger });
    history.clear();
    history.upsert(callFrom('new', '919876543210'));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(known(history, '919876543210')).toBe(1);
  });

  it('brings a history of an earlier version up to date once: caller columns filled, lookup indexes dropped, event keys kept', () => {
    const dir = mkdtempSync(join(tmpdir(), 'telecmi-old-history-'));
    const file = join(dir, 'calls.db');
    const old = openCallDatabase(file, silentLogger);
    old.write({ cleared: false, allRead: false, upserts: [callFrom('1', '919876543210')], removed: [], eventKeys: ['key-1', 'key-2'] });
    old.close();
    // What the file looked like before: no caller columns, an index per lookup, none on the keys, unique event keys.
    const { Database } = createRequire(import.meta.url)('node-sqlite3-wasm') as typeof Sqlite;
    const raw = new Database(file);
    // Files before numbered schemas have version 0.
    raw.exec(`PRAGMA locking_mode = EXCLUSIVE; PRAGMA user_version = 0; DROP INDEX calls_keys; ALTER TABLE calls DROP COLUMN caller; ALTER TABLE calls DROP COLUMN started_at;
      CREATE INDEX calls_by_conversation ON calls (conversation_id);
      DROP TABLE event_keys; CREATE TABLE event_keys (seq INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE); INSERT INTO event_keys (key) VALUES ('key-1'), ('key-2');`);
    // One damaged record must not make the update fail (and the file be taken for corrupt).
    raw.exec(`INSERT INTO calls (id, conversation_id, read, record) VALUES ('damaged', 'c', 0, '{"from": not json')`);
    raw.close();
    // `calls` reads it as it is, before any update.
    const before = openCallDatabase(file, silentLogger, { readOnly: true });
    expect(before.idsAfter(0, 1).calls).toMatchObject([{ id: 'leg-b-1', caller: '919876543210' }]);
    before.close();
    const database = openCallDatabase(file, silentLogger);
    expect(database.counts().total).toBe(2);
    expect(database.idsAfter(0, 1).calls).toMatchObject([
      { id: 'leg-b-1', caller: '919876543210', startedAt: callFrom('1', '919876543210').startedAt },
    ]);
    expect(database.recentEventKeys()).toEqual(['key-1', 'key-2']);
    database.write({ cleared: false, allRead: false, upserts: [], removed: [], eventKeys: ['key-3'] });
    expect(database.recentEventKeys()).toEqual(['key-1', 'key-2', 'key-3']);
    database.close();
    const upgraded = new Database(file);
    upgraded.exec('PRAGMA locking_mode = EXCLUSIVE;');
    const indexes = (
      upgraded.all("SELECT name FROM sqlite_master WHERE type = 'index' AND name NOT LIKE 'sqlite_autoindex_calls%'") as Array<{
        name: string;
      }>
    ).map((index) => index.name);
    upgraded.close();
    expect(indexes.sort()).toEqual(['calls_call_back', 'calls_keys', 'calls_unread']);
    const reader = openCallDatabase(file, silentLogger, { readOnly: true });
    expect(reader.idsAfter(0, 1).calls).toMatchObject([{ id: 'leg-b-1', caller: '919876543210' }]);
    reader.close();
    // A file that has one of the new columns gets the other.
    const partly = new Database(file);
    partly.exec(
      'PRAGMA locking_mode = EXCLUSIVE; PRAGMA user_version = 0; DROP INDEX calls_keys; ALTER TABLE calls DROP COLUMN started_at;',
    );
    partly.close();
    const again = openCallDatabase(file, silentLogger);
    expect(again.idsAfter(0, 1).calls).toMatchObject([{ id: 'leg-b-1', startedAt: callFrom('1', '919876543210').startedAt }]);
    again.close();
  });
});

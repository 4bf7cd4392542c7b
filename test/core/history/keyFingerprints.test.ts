import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { newCallRecord } from '../../../src/core/calls/callLifecycle';
import { openCallDatabase } from '../../../src/core/history/callDatabase';
import { createCallHistory } from '../../../src/core/history/callHistory';
import { mayHold } from '../../../src/core/history/keyFingerprints';
import { silentLogger } from '../../../src/core/log/logger';
import { agentCall } from '../../support/events';

describe("the fingerprints of a file's ids and conversations", () => {
  // Texts whose bytes differ from their characters, or that hold the list's own separator.
  const odd = ['café-ü', '12:34:56', '😀 call', '0', 'a'.repeat(300)];

  it('hold every stored id and conversation, whatever its characters, and tell new ones apart', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'telecmi-fingerprints-')), 'calls.db');
    const history = createCallHistory({ database: openCallDatabase(file, silentLogger), maxCalls: 100, log: silentLogger });
    const calls = odd.map((text) => newCallRecord(agentCall('x', { cmiuuid: `leg ${text}`, conversation_uuid: `conv ${text}` }).started));
    for (const call of calls) history.upsert(call);
    history.close();

    const database = openCallDatabase(file, silentLogger);
    const { ids, conversations } = database.keyFingerprints();
    database.close();
    expect(ids).toHaveLength(odd.length);
    for (const call of calls) {
      expect(mayHold(ids, call.id)).toBe(true);
      expect(mayHold(conversations, call.conversationId)).toBe(true);
    }
    const absent = Array.from({ length: 1000 }, (_, index) => `leg new-${index}`).filter((id) => mayHold(ids, id));
    expect(absent).toEqual([]);
  });

  it('of an empty file are empty', () => {
    const database = openCallDatabase(join(mkdtempSync(join(tmpdir(), 'telecmi-fingerprints-')), 'calls.db'), silentLogger);
    expect(database.keyFingerprints()).toEqual({ ids: new Uint32Array(), conversations: new Uint32Array() });
    database.close();
  });
});

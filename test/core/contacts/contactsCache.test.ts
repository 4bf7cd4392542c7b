import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openContactsCache } from '../../../src/core/contacts/contactStore';
import { recordingLogger } from '../../support/fakes';

describe('the contacts a data folder kept of --contacts', () => {
  const contacts = [{ name: 'Asha Rao', numbers: [{ raw: '098765 43210', e164: '+919876543210' }] }];

  function kept() {
    const dataDir = mkdtempSync(join(tmpdir(), 'telecmi-contacts-cache-'));
    const file = join(dataDir, 'crm.csv');
    writeFileSync(file, 'Name,Phone\nAsha Rao,098765 43210\n');
    const log = recordingLogger();
    const cache = openContactsCache(dataDir, log, { reader: '1.0.0', name: 'contacts-cache.json' });
    cache.save(file, 'IN', contacts, cache.stampOf(file));
    return { dataDir, file, log, cache };
  }

  it('are taken while the file and the default country are the same', () => {
    const { file, cache } = kept();
    expect(cache.load(file, 'IN')).toEqual(contacts);
    expect(cache.load(file, 'GB')).toBeUndefined();
  });

  it('are not taken by another version (another parser or phone metadata)', () => {
    const { dataDir, file, log } = kept();
    expect(openContactsCache(dataDir, log, { reader: '1.0.1', name: 'contacts-cache.json' }).load(file, 'IN')).toBeUndefined();
  });

  it('are not taken once the file changed', () => {
    const { file, cache } = kept();
    writeFileSync(file, 'Name,Phone\nAsha Rao,098765 43210\nRavi Kumar,098765 43211\n');
    expect(cache.load(file, 'IN')).toBeUndefined();
  });

  it('are set aside when damaged, and the file is read again', () => {
    const { dataDir, file, cache, log } = kept();
    writeFileSync(join(dataDir, 'contacts-cache.json'), '{"v":1,"contacts":[');
    expect(cache.load(file, 'IN')).toBeUndefined();
    expect(readdirSync(dataDir).some((name) => name.startsWith('contacts-cache.json.corrupt'))).toBe(true);
    expect(log.lines.some((line) => line.level === 'warn' || line.level === 'error')).toBe(true);
  });
});

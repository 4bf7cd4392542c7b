import { describe, expect, it } from 'vitest';
import { createSecretStore, type Cipher } from '../../../src/core/settings/secretStore';
import { recordingLogger } from '../../support/fakes';

const authtoken = '2abcSECRETngrok_0123456789';

function open(cipher: Partial<Cipher> = {}) {
  const file = new Map<string, unknown>();
  const log = recordingLogger();
  const secrets = createSecretStore({
    cipher: {
      isEncryptionAvailable: () => true,
      encryptString: (text) => Buffer.from([...text].reverse().join('')),
      decryptString: (bytes) => [...bytes.toString()].reverse().join(''),
      ...cipher,
    },
    file: { get: (key) => file.get(key), set: (key, value) => void file.set(key, value), delete: (key) => void file.delete(key) },
    log,
  });
  return { secrets, file, log };
}

describe('secret store', () => {
  it('keeps the authtoken encrypted and gives it back', () => {
    const { secrets, file } = open();
    secrets.set(authtoken);
    expect(JSON.stringify([...file.values()])).not.toContain(authtoken);
    expect(secrets.get()).toBe(authtoken);
    expect(secrets.encrypts()).toBe(true);
  });

  it('does not call a hardcoded-key backend encryption: stores plainly, says so, never logs the token', () => {
    const { secrets, file, log } = open({ getSelectedStorageBackend: () => 'basic_text' });
    secrets.set(authtoken);
    expect(secrets.encrypts()).toBe(false);
    expect(file.get('ngrokAuthtoken')).toEqual({ encrypted: false, value: authtoken });
    expect(log.lines.map((line) => line.level)).toEqual(['warn']);
    expect(JSON.stringify(log.lines)).not.toContain(authtoken);
  });

  it('forgets a token this computer cannot decrypt, and says so', () => {
    const { secrets, log } = open({ decryptString: () => { throw new Error('key changed'); } });
    secrets.set(authtoken);
    expect(secrets.get()).toBeUndefined();
    expect(secrets.has()).toBe(false);
    expect(log.lines.at(-1)?.message).toMatch(/cannot be decrypted/);
  });

  it('removes it', () => {
    const { secrets } = open();
    secrets.set(authtoken);
    secrets.clear();
    expect(secrets.has()).toBe(false);
  });
});

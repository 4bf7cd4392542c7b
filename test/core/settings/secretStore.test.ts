import { describe, expect, it } from 'vitest';
import { openSecretStore, type Cipher } from '../../../src/core/settings/secretStore';
import { recordingLogger } from '../../support/fakes';

const authtoken = '2abcSECRETngrok_0123456789';
const reversed = (text: string): string => [...text].reverse().join('');

async function open(cipher: Partial<Cipher> = {}, file = new Map<string, unknown>()) {
  const log = recordingLogger();
  const secrets = await openSecretStore({
    cipher: {
      isAsyncEncryptionAvailable: async () => true,
      encryptStringAsync: async (text) => Buffer.from(reversed(text)),
      decryptStringAsync: async (bytes) => ({ result: reversed(bytes.toString()), shouldReEncrypt: false }),
      ...cipher,
    },
    file: { get: (key) => file.get(key), set: (key, value) => void file.set(key, value), delete: (key) => void file.delete(key) },
    log,
  });
  return { secrets, file, log };
}

describe('secret store', () => {
  it('keeps the authtoken encrypted and gives it back, also after reopening', async () => {
    const { secrets, file } = await open();
    await secrets.set(authtoken);
    expect(JSON.stringify([...file.values()])).not.toContain(authtoken);
    expect(secrets.get()).toBe(authtoken);
    expect(secrets.encrypts()).toBe(true);
    const reopened = await open({}, file);
    expect(reopened.secrets.get()).toBe(authtoken);
  });

  it('stores it again when the keychain says its key was rotated', async () => {
    const { secrets, file } = await open();
    await secrets.set(authtoken);
    const rotated = await open(
      {
        encryptStringAsync: async (text) => Buffer.from(`v2:${reversed(text)}`),
        decryptStringAsync: async (bytes) => ({
          result: reversed(bytes.toString().replace(/^v2:/, '')),
          shouldReEncrypt: !bytes.toString().startsWith('v2:'),
        }),
      },
      file,
    );
    expect(rotated.secrets.get()).toBe(authtoken);
    expect(Buffer.from((file.get('ngrokAuthtoken') as { value: string }).value, 'base64').toString()).toBe(`v2:${reversed(authtoken)}`);
  });

  it('does not call a hardcoded-key backend encryption: stores plainly, says so, never logs the token', async () => {
    const { secrets, file, log } = await open({ getSelectedStorageBackend: () => 'basic_text' });
    await secrets.set(authtoken);
    expect(secrets.encrypts()).toBe(false);
    expect(file.get('ngrokAuthtoken')).toEqual({ encrypted: false, value: authtoken });
    expect(log.lines.map((line) => line.level)).toEqual(['warn']);
    expect(JSON.stringify(log.lines)).not.toContain(authtoken);
  });

  it('forgets a token this computer cannot decrypt, and says so', async () => {
    const { secrets, file } = await open();
    await secrets.set(authtoken);
    const elsewhere = await open({ decryptStringAsync: async () => Promise.reject(new Error('key changed')) }, file);
    expect(elsewhere.secrets.get()).toBeUndefined();
    expect(elsewhere.secrets.has()).toBe(false);
    expect(elsewhere.log.lines.at(-1)?.message).toMatch(/cannot be decrypted/);
  });

  it('removes it', async () => {
    const { secrets } = await open();
    await secrets.set(authtoken);
    secrets.clear();
    expect(secrets.has()).toBe(false);
  });
});

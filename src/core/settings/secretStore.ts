import type { Logger } from '../log/logger';

/** Electron's asynchronous safeStorage, as a port: the OS keychain encrypts, the file holds only ciphertext. */
export interface Cipher {
  isAsyncEncryptionAvailable(): Promise<boolean>;
  /** Linux only: `basic_text` means a hardcoded key, which protects nothing. */
  getSelectedStorageBackend?(): string;
  encryptStringAsync(text: string): Promise<Buffer>;
  /** `shouldReEncrypt`: the key was rotated; what was read should be stored again. */
  decryptStringAsync(encrypted: Buffer): Promise<{ result: string; shouldReEncrypt: boolean }>;
}

/** Which secret: the ngrok authtoken, the team join code, or this desktop's own team credentials (traded for the code). */
export type SecretKey = 'ngrokAuthtoken' | 'teamJoinCode' | 'teamDevice';

/** Where the secrets live: a conf / electron-store file of their own, apart from the settings. */
export interface SecretFile {
  get(key: SecretKey): unknown;
  set(key: SecretKey, value: { encrypted: boolean; value: string }): void;
  delete(key: SecretKey): void;
}

/**
 * A secret (the ngrok authtoken, the join code): encrypted with the OS keychain where there is
 * one, never logged, never sent to the window (which only learns whether one is saved).
 * Decrypted once when opened and held in memory, so reading it is synchronous.
 */
export async function openSecretStore({
  cipher,
  file,
  log,
  key = 'ngrokAuthtoken',
}: {
  cipher: Cipher;
  file: SecretFile;
  log: Logger;
  key?: SecretKey;
}) {
  const what = { ngrokAuthtoken: 'ngrok authtoken', teamJoinCode: 'team join code', teamDevice: 'team credentials' }[key];
  const encrypts = (await cipher.isAsyncEncryptionAvailable()) && cipher.getSelectedStorageBackend?.() !== 'basic_text';
  let authtoken = await read();

  async function write(value: string): Promise<void> {
    if (encrypts) {
      file.set(key, { encrypted: true, value: (await cipher.encryptStringAsync(value)).toString('base64') });
      return;
    }
    log.warn(`no OS keychain to encrypt the ${what}: it is stored unencrypted, readable only by this user, in the app data folder`);
    file.set(key, { encrypted: false, value });
  }

  async function read(): Promise<string | undefined> {
    const stored = file.get(key) as { encrypted?: unknown; value?: unknown } | undefined;
    if (!stored || typeof stored.value !== 'string') return undefined;
    if (!stored.encrypted) return stored.value;
    try {
      const { result, shouldReEncrypt } = await cipher.decryptStringAsync(Buffer.from(stored.value, 'base64'));
      if (shouldReEncrypt) await write(result);
      return result;
    } catch {
      log.warn(`the saved ${what} cannot be decrypted on this computer; save it again`);
      return undefined;
    }
  }

  return {
    has: (): boolean => authtoken !== undefined,
    get: (): string | undefined => authtoken,
    /** Whether what `set` stores is really encrypted. */
    encrypts: (): boolean => encrypts,
    async set(value: string): Promise<void> {
      await write(value);
      authtoken = value;
    },
    clear(): void {
      file.delete(key);
      authtoken = undefined;
    },
  };
}

export type SecretStore = Awaited<ReturnType<typeof openSecretStore>>;

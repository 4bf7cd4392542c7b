import type { Logger } from '../log/logger';

/** Electron's safeStorage, as a port: the OS keychain encrypts, the file holds only ciphertext. */
export interface Cipher {
  isEncryptionAvailable(): boolean;
  /** Linux only: `basic_text` means a hardcoded key, which protects nothing. */
  getSelectedStorageBackend?(): string;
  encryptString(text: string): Buffer;
  decryptString(encrypted: Buffer): string;
}

/** Where the secret lives: a conf / electron-store file of its own, apart from the settings. */
export interface SecretFile {
  get(key: 'ngrokAuthtoken'): unknown;
  set(key: 'ngrokAuthtoken', value: { encrypted: boolean; value: string }): void;
  delete(key: 'ngrokAuthtoken'): void;
}

/**
 * The ngrok authtoken: encrypted with the OS keychain where there is one, never logged, never
 * sent to the window (which only learns whether one is saved).
 */
export function createSecretStore({ cipher, file, log }: { cipher: Cipher; file: SecretFile; log: Logger }) {
  return {
    has: (): boolean => typeof read() === 'string',
    get: (): string | undefined => read(),
    /** Whether what `set` stores is really encrypted. */
    encrypts,
    set(authtoken: string): void {
      if (encrypts()) {
        file.set('ngrokAuthtoken', { encrypted: true, value: cipher.encryptString(authtoken).toString('base64') });
        return;
      }
      log.warn('no OS keychain to encrypt the ngrok authtoken: it is stored unencrypted, readable only by this user, in the app data folder');
      file.set('ngrokAuthtoken', { encrypted: false, value: authtoken });
    },
    clear: (): void => file.delete('ngrokAuthtoken'),
  };

  function encrypts(): boolean {
    return cipher.isEncryptionAvailable() && cipher.getSelectedStorageBackend?.() !== 'basic_text';
  }

  function read(): string | undefined {
    const stored = file.get('ngrokAuthtoken') as { encrypted?: unknown; value?: unknown } | undefined;
    if (!stored || typeof stored.value !== 'string') return undefined;
    if (!stored.encrypted) return stored.value;
    try {
      return cipher.decryptString(Buffer.from(stored.value, 'base64'));
    } catch {
      log.warn('the saved ngrok authtoken cannot be decrypted on this computer; save it again');
      return undefined;
    }
  }
}

export type SecretStore = ReturnType<typeof createSecretStore>;

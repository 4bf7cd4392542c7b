import {
  createCipheriv,
  createDecipheriv,
  createPublicKey,
  diffieHellman,
  generateKeyPairSync,
  hkdfSync,
  randomBytes,
  type KeyObject,
} from 'node:crypto';
import { z } from 'zod';

/**
 * A secret sealed for one receiver: X25519 with a key made for this message, HKDF-SHA256 and
 * AES-256-GCM. The enrolment answer travels on a topic every holder of the join code may read:
 * sealed for the key of the desktop that asked, the device's password is that desktop's alone.
 */
export const sealedSchema = z.object({ key: z.string().max(200), iv: z.string().max(40), data: z.string().max(2000) });
export type Sealed = z.infer<typeof sealedSchema>;

export interface SealingKeys {
  /** Sent with the request (SPKI, base64). */
  publicKey: string;
  privateKey: KeyObject;
}

const info = Buffer.from('telecmi-notifier enrolment');
const keyOf = (privateKey: KeyObject, publicKey: KeyObject): Buffer =>
  Buffer.from(hkdfSync('sha256', diffieHellman({ privateKey, publicKey }), Buffer.alloc(0), info, 32));
const publicKeyFrom = (base64: string): KeyObject => createPublicKey({ key: Buffer.from(base64, 'base64'), format: 'der', type: 'spki' });

export function newSealingKeys(): SealingKeys {
  const { publicKey, privateKey } = generateKeyPairSync('x25519');
  return { publicKey: publicKey.export({ format: 'der', type: 'spki' }).toString('base64'), privateKey };
}

/** Throws when `publicKey` is not an X25519 key. */
export function seal(secret: string, publicKey: string): Sealed {
  const ephemeral = generateKeyPairSync('x25519');
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', keyOf(ephemeral.privateKey, publicKeyFrom(publicKey)), iv);
  const data = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final(), cipher.getAuthTag()]);
  return {
    key: ephemeral.publicKey.export({ format: 'der', type: 'spki' }).toString('base64'),
    iv: iv.toString('base64'),
    data: data.toString('base64'),
  };
}

/** Throws when it was not sealed for these keys, or was changed. */
export function unseal(sealed: Sealed, keys: SealingKeys): string {
  const data = Buffer.from(sealed.data, 'base64');
  const decipher = createDecipheriv('aes-256-gcm', keyOf(keys.privateKey, publicKeyFrom(sealed.key)), Buffer.from(sealed.iv, 'base64'));
  decipher.setAuthTag(data.subarray(data.length - 16));
  return Buffer.concat([decipher.update(data.subarray(0, data.length - 16)), decipher.final()]).toString('utf8');
}

/** Whether a request's key is one a secret can be sealed for. */
export function isSealingKey(publicKey: string): boolean {
  try {
    return publicKeyFrom(publicKey).asymmetricKeyType === 'x25519';
  } catch {
    return false;
  }
}

import { z } from 'zod';

/** 24 random bytes: 192 bits, 32 URL-safe characters. */
const tokenBytes = 24;

export const webhookTokenSchema = z
  .string()
  .regex(/^[A-Za-z0-9_-]{22,128}$/, 'must be 22 to 128 letters, digits, "-" or "_" (at least 128 bits)');

/** Uses Web Crypto, so the same code runs in Node, Electron's main process and the renderer. */
export function generateWebhookToken(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(tokenBytes));
  return btoa(String.fromCharCode(...bytes))
    .replaceAll('+', '-')
    .replaceAll('/', '_')
    .replace(/=+$/, '');
}

import { EventEmitter } from 'node:events';
import type { MqttClient } from 'mqtt';
import { describe, expect, it } from 'vitest';
import { isSealingKey, newSealingKeys, seal, unseal } from '../../../src/core/team/sealedBox';
import { controlOver } from '../../../src/core/team/server/dynsecControl';

describe('sealed enrolment answers', () => {
  it('opens only with the keys it was sealed for, and not once changed', () => {
    const mine = newSealingKeys();
    const sealed = seal('device-password', mine.publicKey);
    expect(unseal(sealed, mine)).toBe('device-password');
    expect(() => unseal(sealed, newSealingKeys())).toThrow();
    const data = Buffer.from(sealed.data, 'base64');
    data[0] = (data[0] as number) ^ 1;
    expect(() => unseal({ ...sealed, data: data.toString('base64') }, mine)).toThrow();
  });

  it('tells a key it can seal for from anything else', () => {
    expect(isSealingKey(newSealingKeys().publicKey)).toBe(true);
    expect(isSealingKey('not a key')).toBe(false);
    expect(isSealingKey(Buffer.from('x'.repeat(44)).toString('base64'))).toBe(false);
  });
});

describe('dynamic security commands', () => {
  /** A client whose connection goes while a command is being sent. */
  function droppingClient() {
    const client = Object.assign(new EventEmitter(), {
      subscribeAsync: async () => [],
      publishAsync: async () => {
        throw new Error('Connection closed');
      },
    });
    return client as unknown as MqttClient;
  }

  it('fails the command when the connection goes while sending it, leaving nothing unhandled, and listens once per client', async () => {
    const client = droppingClient();
    const control = controlOver(client, { timeoutMs: 50 });
    await expect(control.send([{ command: 'getClient', username: 'x' }])).rejects.toThrow('Connection closed');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(controlOver(client)).toBe(control);
    expect((client as unknown as EventEmitter).listenerCount('message')).toBe(1);
  });
});

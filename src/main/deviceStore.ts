import type { Logger } from '../core/log/logger';
import type { SecretStore } from '../core/settings/secretStore';
import { deviceCredentialsSchema, type DeviceCredentials } from '../core/team/desktop/enrol';

/** This desktop's team credentials, kept as JSON in an encrypted secret: one that does not read is dropped (the desktop joins again). */
export function deviceStore(secret: SecretStore, log: Logger) {
  return {
    get(): DeviceCredentials | undefined {
      const text = secret.get();
      if (!text) return undefined;
      try {
        return deviceCredentialsSchema.parse(JSON.parse(text));
      } catch {
        log.warn('the saved team credentials do not read: this desktop joins again with its join code');
        return undefined;
      }
    },
    set: (device: DeviceCredentials): Promise<void> => secret.set(JSON.stringify(device)),
    clear: (): void => secret.clear(),
  };
}

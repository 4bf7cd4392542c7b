import type { AppStatus } from '../../core/app/appStatus';
import { webhookUrlFor } from '../../core/receiver/webhookUrl';
import type { Settings } from '../../core/settings/settingsSchema';

/** The local webhook URL: the receiver's own while it listens, else the one the settings give. */
export function localWebhookUrl(settings: Settings, status: AppStatus | undefined): string {
  return status?.receiver.webhookUrl ?? webhookUrlFor(`http://${settings.host}:${settings.port}`, settings.token);
}

import type { Logger } from '../core/log/logger';
import { webhookUrlFor } from '../core/receiver/webhookUrl';
import { createNgrokDriver } from '../core/tunnel/ngrokDriver';
import { createTunnelManager } from '../core/tunnel/tunnelManager';
import { printLine } from './jsonLines';

/** The public tunnel of `--ngrok-authtoken-env`: its states go to stdout as JSON lines. */
export async function startTunnel({
  authtoken,
  domain,
  localPort,
  token,
  log,
}: {
  authtoken: string;
  domain: string;
  localPort: number;
  token: string;
  log: Logger;
}) {
  const tunnel = createTunnelManager({
    // TELECMI_NGROK_SERVER_ADDR: another ngrok ingress (a custom one; the tests use a closed port).
    driver: createNgrokDriver({ serverAddr: process.env.TELECMI_NGROK_SERVER_ADDR }),
    log,
    onStatus: (status) =>
      printLine({ type: 'tunnel', ...status, ...(status.state === 'online' && { publicWebhookUrl: webhookUrlFor(status.url, token) }) }),
    onUrlChanged: () => undefined,
  });
  await tunnel.start({ localPort, authtoken, ...(domain && { domain }) });
  return tunnel;
}

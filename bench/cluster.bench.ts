/**
 * Team mode through a broker the operator runs, clustered: `serve --mqtt-url` (the built CLI)
 * publishing to one ejabberd node, 500 agents' subscribers (the real subscriber and pipeline, in
 * this process) on the other; 1,000 ringing calls at 200/s: arrival to notification, and what went
 * astray. Against the same through the team's own Mosquitto, measured in the same run.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { DeviceCredentials } from '../src/core/team/desktop/enrol';
import { ejabberdctlPath, startEjabberdCluster } from '../test/support/ejabberd';

const seats = 500;
const targets = { p99Ms: 50 };
const bin = new URL('../bin/telecmi-notifier.js', import.meta.url).pathname;

type FanOut = (
  webhookUrl: string,
  devices: DeviceCredentials[],
) => Promise<{ p50: number; p99: number; lost: number; misrouted: number; duplicated: number }>;

export async function clusterBench(measureFanOut: FanOut, mosquittoP99: number): Promise<Array<[string, string, boolean]>> {
  if (!ejabberdctlPath) {
    console.log('\n## Team mode on an ejabberd cluster: skipped, ejabberd is not installed (apt install ejabberd)');
    return [['delivery through an ejabberd cluster', 'measured', false]];
  }
  console.log(`\n## Team mode on an ejabberd cluster of two nodes: serve on node 1, ${seats} subscribers on node 2`);
  const cluster = await startEjabberdCluster(2, [], {}, { open: true });
  const [first, second] = cluster.ports as [number, number];
  const child = spawn(
    process.execPath,
    [
      ...[bin, 'serve', '--port', '0', '--data-dir', mkdtempSync(join(tmpdir(), 'telecmi-cluster-bench-')), '--log-level', 'error'],
      ...['--mqtt-url', `mqtt://127.0.0.1:${first}`, '--mqtt-username', 'receiver', '--mqtt-password-env', 'RECEIVER_PASSWORD'],
    ],
    { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, RECEIVER_PASSWORD: 'bench' } },
  );
  try {
    const webhookUrl = await new Promise<string>((resolve, reject) => {
      createInterface({ input: child.stdout }).on('line', (line) => {
        const parsed = JSON.parse(line) as { type: string; webhookUrl?: string };
        if (parsed.type === 'listening' && parsed.webhookUrl) resolve(parsed.webhookUrl);
      });
      child.once('exit', (code) => reject(new Error(`serve exited with ${code}`)));
    });
    const devices: DeviceCredentials[] = Array.from({ length: seats }, (_, index) => {
      const agent = `${1000 + index}_2222223`;
      const clientId = `telecmi-desktop-bench-${index}`;
      return {
        v: 1,
        url: `mqtt://127.0.0.1:${second}`,
        deviceId: clientId,
        username: agent,
        password: 'bench',
        clientId,
        agent,
        teams: [],
        invite: clientId,
        ownTeamsOnly: true,
      };
    });
    const run = await measureFanOut(webhookUrl, devices);
    console.log(
      `p50 ${run.p50.toFixed(1)} ms, p99 ${run.p99.toFixed(1)} ms; lost ${run.lost}, misrouted ${run.misrouted}, duplicated ${run.duplicated}`,
    );
    return [
      [
        `arrival to notification through the ejabberd cluster at ${seats} subscribers: p99 ${run.p99.toFixed(1)} ms (the team's Mosquitto: ${mosquittoP99.toFixed(1)} ms)`,
        `< ${targets.p99Ms} ms`,
        run.p99 < targets.p99Ms,
      ],
      [
        `lost / misrouted / duplicated through the cluster: ${run.lost}/${run.misrouted}/${run.duplicated}`,
        '0/0/0',
        run.lost + run.misrouted + run.duplicated === 0,
      ],
    ];
  } finally {
    child.kill();
    await cluster.stop();
  }
}

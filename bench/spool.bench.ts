/**
 * The team server's spool after a long broker outage: `serve --team-dir` (the built CLI) restarted
 * with 20,000 and then 100,000 events in its spool, the broker back. How long the drain takes
 * (linear: the time per event at 100,000 against 20,000 in the same run), what `/healthz` costs
 * meanwhile, and how soon a new ringing call posted in the middle of the drain is acknowledged
 * (live events go first).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { agentLegPayload, sampleCall } from '../src/core/telecmi/sampleEvents';
import { mosquittoPath, startMosquitto } from '../test/support/mosquitto';
import { teamFolderWithDevices } from '../test/support/teamFolder';

const agent = '1000_2222223';
const targets = { perEventRatio: 1.5, healthP99Ms: 50, liveAckMs: 100 };
const bin = new URL('../bin/telecmi-notifier.js', import.meta.url).pathname;

/** A spool as an outage leaves it: `count` ringing calls for one agent, an hour old. */
function spoolOf(count: number): string {
  const receivedAt = Date.now() - 3_600_000;
  const lines = Array.from({ length: count }, () => {
    const call = sampleCall({ user: agent });
    const message = { v: 1, id: call.callId, receivedAt, expirySec: 60, payload: agentLegPayload(call, 'started', receivedAt) };
    return `${JSON.stringify({ topic: `telecmi/2222223/agent/${agent}`, expirySec: 60, message })}\n`;
  });
  const dataDir = mkdtempSync(join(tmpdir(), 'telecmi-spool-bench-'));
  writeFileSync(join(dataDir, 'spool.jsonl'), lines.join(''));
  return dataDir;
}

function serve(teamDir: string, dataDir: string): Promise<{ child: ChildProcess; webhookUrl: string; healthUrl: string }> {
  const child = spawn(
    process.execPath,
    [bin, 'serve', '--port', '0', '--data-dir', dataDir, '--team-dir', teamDir, '--log-level', 'error'],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
      const parsed = JSON.parse(line) as { type: string; webhookUrl?: string; healthUrl?: string };
      if (parsed.type === 'listening' && parsed.webhookUrl && parsed.healthUrl) {
        resolve({ child, webhookUrl: parsed.webhookUrl, healthUrl: parsed.healthUrl });
      }
    });
    child.once('exit', (code) => reject(new Error(`serve exited with ${code}`)));
  });
}

const timed = async <T>(work: () => Promise<T>): Promise<[T, number]> => {
  const started = performance.now();
  const result = await work();
  return [result, performance.now() - started];
};

async function drain(count: number) {
  const { dir, ports } = await teamFolderWithDevices([{ agent }]);
  const broker = await startMosquitto(mosquittoPath as string, join(dir, 'mosquitto.conf'), ports);
  const started = performance.now();
  const server = await serve(dir, spoolOf(count));
  const healthMs: number[] = [];
  let liveAckMs = Number.NaN;
  try {
    for (let spooled = count; spooled > 0;) {
      const [health, ms] = await timed(async () => (await (await fetch(server.healthUrl)).json()) as { spooled: number });
      healthMs.push(ms);
      spooled = health.spooled;
      if (Number.isNaN(liveAckMs) && spooled < count / 2) {
        const ringing = JSON.stringify(agentLegPayload(sampleCall({ user: agent }), 'started', Date.now()));
        const post = () => fetch(server.webhookUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: ringing });
        liveAckMs = (await timed(post))[1];
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const seconds = (performance.now() - started) / 1000;
    healthMs.sort((a, b) => a - b);
    const healthP99 = healthMs[Math.min(healthMs.length - 1, Math.floor(0.99 * healthMs.length))] ?? Number.NaN;
    return { count, seconds, perThousandMs: (seconds * 1_000_000) / count, healthP99, liveAckMs };
  } finally {
    server.child.kill();
    await broker.stop();
  }
}

export async function spoolBench(): Promise<Array<[string, string, boolean]>> {
  console.log('\n## Team spool: serve restarted with a backlog, the broker back (start-up and drain)');
  const runs = [await drain(20_000), await drain(100_000)];
  console.log(
    'spooled'.padEnd(10),
    'drain s'.padStart(8),
    'ms/1000'.padStart(8),
    '/healthz p99 ms'.padStart(16),
    'live call ack ms'.padStart(17),
  );
  for (const run of runs) {
    console.log(
      String(run.count).padEnd(10),
      run.seconds.toFixed(1).padStart(8),
      run.perThousandMs.toFixed(0).padStart(8),
      run.healthP99.toFixed(1).padStart(16),
      run.liveAckMs.toFixed(1).padStart(17),
    );
  }
  const [small, large] = runs as [(typeof runs)[number], (typeof runs)[number]];
  return [
    [
      `spool drain: 100,000 in ${large.seconds.toFixed(1)} s, ${large.perThousandMs.toFixed(0)} ms per 1,000 (20,000: ${small.seconds.toFixed(1)} s, ${small.perThousandMs.toFixed(0)} ms per 1,000; before: 20,000 in 10.4 s, 40,000 in 28.5 s)`,
      `per event within ${targets.perEventRatio}x of the 20,000 run (linear)`,
      large.perThousandMs <= targets.perEventRatio * small.perThousandMs,
    ],
    [
      `/healthz during the drain: p99 ${large.healthP99.toFixed(1)} ms at 100,000 (${small.healthP99.toFixed(1)} ms at 20,000; before: 94 ms at 20,000)`,
      `< ${targets.healthP99Ms} ms`,
      Math.max(large.healthP99, small.healthP99) < targets.healthP99Ms,
    ],
    [
      `a new ringing call posted mid-drain acknowledged in ${large.liveAckMs.toFixed(1)} ms (20,000: ${small.liveAckMs.toFixed(1)} ms)`,
      `< ${targets.liveAckMs} ms`,
      Math.max(large.liveAckMs, small.liveAckMs) < targets.liveAckMs,
    ],
  ];
}

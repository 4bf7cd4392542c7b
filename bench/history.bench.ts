/**
 * The history store at the largest cap the settings allow: `serve` (the built CLI, as users run
 * it) over a data folder holding that many calls, against the same with an empty one (the
 * baseline), in one run: start-up time, webhook latency under a steady event rate, memory, and
 * what a kill -9 loses.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { newCallRecord } from '../src/core/calls/callLifecycle';
import type { CallRecord } from '../src/core/calls/callRecord';
import { openCallDatabase } from '../src/core/history/callDatabase';
import { openHistoryDatabase } from '../src/core/history/historyFolder';
import { silentLogger } from '../src/core/log/logger';
import { settingsSchema } from '../src/core/settings/settingsSchema';
import { eventKey, parseTelecmiEvent } from '../src/core/telecmi/parseEvent';
import { agentLegPayload, sampleCall } from '../src/core/telecmi/sampleEvents';
import { benchToken } from './benchProtocol';
import { startServer } from './receiver.bench';

const largestCap = settingsSchema.shape.maxCalls.unwrap().maxValue ?? Number.NaN;
const rate = 200;
const loadSeconds = 10;
const killAfterSeconds = 5;
const targets = { p99Ms: 20, startupMs: 1000, rssMb: 300, lossWindowMs: 1000 };
const bin = new URL('../bin/telecmi-notifier.js', import.meta.url).pathname;

/** A data folder holding `count` realistic calls (ringing, answered, ended) and their events' keys, as a long-running desktop would. */
function dataFolderWith(count: number): string {
  const dir = mkdtempSync(join(tmpdir(), 'telecmi-history-bench-'));
  const database = openHistoryDatabase(dir, silentLogger);
  const batch = 2000;
  for (let start = 0; start < count; start += batch) {
    const calls: CallRecord[] = [];
    const eventKeys: string[] = [];
    for (let index = start; index < Math.min(count, start + batch); index += 1) {
      const time = Date.now() - (count - index) * 60_000;
      const parsed = parseTelecmiEvent(
        agentLegPayload(sampleCall({ custom: { crm: 'true', ticket: `T-${index}` } }), 'started', time),
        time + 100,
      );
      if (!parsed.ok) continue;
      calls.push({ ...newCallRecord(parsed.event), read: index % 3 !== 0 });
      eventKeys.push(eventKey(parsed.event));
    }
    database.write({ cleared: false, allRead: false, upserts: calls, removed: [], eventKeys });
  }
  database.close();
  return dir;
}

interface Serving {
  child: ChildProcess;
  webhookUrl: string;
  startupMs: number;
}

function serve(dataDir: string): Promise<Serving> {
  const started = performance.now();
  const child = spawn(
    process.execPath,
    [bin, 'serve', '--port', '0', '--data-dir', dataDir, '--max-calls', String(largestCap), '--log-level', 'error'],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).once('line', (line) => {
      resolve({ child, webhookUrl: (JSON.parse(line) as { webhookUrl: string }).webhookUrl, startupMs: performance.now() - started });
    });
    child.once('exit', (code) => reject(new Error(`serve exited with ${code}`)));
  });
}

const rssMb = (pid: number): number => Number(execFileSync('ps', ['-o', 'rss=', '-p', String(pid)], { encoding: 'utf8' }).trim()) / 1024;

/**
 * Keep-alive connections as TeleCMI's would be. node:http, not fetch: on a two-core machine
 * undici's own overhead on the same cores added more to the p99 than the server under test.
 */
const agent = new Agent({ keepAlive: true });

/** POSTs one event; resolves with the status once the whole answer is read. */
function post(webhookUrl: string, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const posted = request(
      webhookUrl,
      { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
      (response) => {
        response.resume();
        response.once('end', () => resolve(response.statusCode ?? 0));
        response.once('error', reject);
      },
    );
    posted.once('error', reject);
    posted.end(body);
  });
}

/**
 * A steady `rate` of new ringing calls (each evicts the oldest at the cap), one every 1/rate s,
 * each timed on its own: webhook latency. (autocannon's rate limit sends in bursts, which on a
 * small machine measures its own queueing, not the server's.)
 */
async function steadyLoad(webhookUrl: string, seconds = loadSeconds, onAcknowledged?: (callId: string) => void) {
  const latencies: number[] = [];
  let failed = 0;
  const requests: Array<Promise<void>> = [];
  const startedAt = performance.now();
  for (let sent = 0; sent < rate * seconds; sent += 1) {
    const due = startedAt + (sent * 1000) / rate;
    if (due > performance.now()) await new Promise((resolve) => setTimeout(resolve, due - performance.now()));
    const call = sampleCall();
    const body = JSON.stringify(agentLegPayload(call, 'started', Date.now()));
    const postedAt = performance.now();
    requests.push(
      post(webhookUrl, body).then(
        (status) => {
          if (status < 200 || status > 299) return void (failed += 1);
          latencies.push(performance.now() - postedAt);
          onAcknowledged?.(call.callId);
        },
        () => void (failed += 1),
      ),
    );
  }
  await Promise.all(requests);
  latencies.sort((a, b) => a - b);
  const at = (fraction: number): number => latencies[Math.min(latencies.length - 1, Math.floor(fraction * latencies.length))] ?? Number.NaN;
  return { p50Ms: at(0.5), p99Ms: at(0.99), maxMs: latencies.at(-1) ?? Number.NaN, ok: latencies.length, failed };
}

/** Events at `rate`, each remembered with when it was acknowledged; then kill -9 and count what the file lacks. */
async function killDuringLoad(serving: Serving, dataDir: string) {
  const acknowledged: Array<{ id: string; at: number }> = [];
  let killedAt = Number.POSITIVE_INFINITY;
  const killer = setTimeout(() => {
    killedAt = Date.now();
    serving.child.kill('SIGKILL');
  }, killAfterSeconds * 1000);
  await steadyLoad(serving.webhookUrl, killAfterSeconds + 1, (id) => acknowledged.push({ id, at: Date.now() }));
  clearTimeout(killer);
  // Opened as serve would open it again: the lock the killed process left is cleared.
  const database = openCallDatabase(join(dataDir, 'calls.db'), silentLogger);
  const saved = new Set(database.oldest(0, Number.MAX_SAFE_INTEGER).map((call) => call.id));
  database.close();
  const older = acknowledged.filter((ack) => ack.at < killedAt - targets.lossWindowMs);
  const lostOlder = older.filter((ack) => !saved.has(ack.id)).length;
  const lostNewer = acknowledged.filter((ack) => ack.at >= killedAt - targets.lossWindowMs && !saved.has(ack.id)).length;
  return { acknowledged: acknowledged.length, lostOlder, lostNewer };
}

/** The same load on a minimal express app with express.json(): the floor this machine and client set. */
async function floor() {
  const { child, port } = await startServer('minimal-express');
  try {
    const url = `http://127.0.0.1:${port}/telecmi/${benchToken}`;
    await steadyLoad(url, 2);
    return await steadyLoad(url);
  } finally {
    child.kill();
  }
}

const startups = 3;

/**
 * Start-up to listening, the median of `startups` starts (each stopped as a user would), after a
 * pause: building 100,000 calls leaves this process's garbage collector busy on the same two
 * cores for a while, and a single start measured that more than `serve`.
 */
async function startupMs(dataDir: string): Promise<number> {
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const times: number[] = [];
  for (let start = 0; start < startups; start += 1) {
    const serving = await serve(dataDir);
    times.push(serving.startupMs);
    await new Promise((resolve) => serving.child.once('exit', resolve).kill('SIGTERM'));
  }
  return times.sort((a, b) => a - b)[Math.floor(startups / 2)] ?? Number.NaN;
}

async function measure(calls: number) {
  const dataDir = dataFolderWith(calls);
  const startup = await startupMs(dataDir);
  const first = await serve(dataDir);
  // Warm-up: the first requests meet code not yet compiled.
  await steadyLoad(first.webhookUrl, 2);
  const load = await steadyLoad(first.webhookUrl);
  const rss = rssMb(first.child.pid as number);
  first.child.kill('SIGKILL');
  const second = await serve(dataDir);
  const kill = await killDuringLoad(second, dataDir);
  return { calls, startupMs: startup, load, rss, kill };
}

const verdict = (pass: boolean): string => (pass ? 'PASS' : 'FAIL');

export async function historyBench(): Promise<boolean> {
  execFileSync(process.execPath, [
    new URL('../node_modules/vite/bin/vite.js', import.meta.url).pathname,
    'build',
    '--config',
    'vite.cli.config.ts',
    '--logLevel',
    'error',
  ]);
  console.log(`\n## History store: serve with ${largestCap} saved calls (the largest cap) against an empty history (baseline)`);
  console.log(
    `${rate} new ringing calls/s for ${loadSeconds} s (each evicts the oldest at the cap); then kill -9 after ${killAfterSeconds} s at the same rate`,
  );
  const minimal = await floor();
  const baseline = await measure(0);
  const full = await measure(largestCap);
  console.log(
    'history'.padEnd(22),
    'start-up ms'.padStart(12),
    'p50 ms'.padStart(7),
    'p99 ms'.padStart(7),
    'max ms'.padStart(7),
    '2xx'.padStart(6),
    'failed'.padStart(7),
    'RSS MB'.padStart(7),
    'acked'.padStart(6),
    'lost >1s'.padStart(9),
    'lost <1s'.padStart(9),
  );
  console.log(
    'minimal express (floor)'.padEnd(22),
    '-'.padStart(12),
    minimal.p50Ms.toFixed(0).padStart(7),
    minimal.p99Ms.toFixed(0).padStart(7),
    minimal.maxMs.toFixed(0).padStart(7),
    String(minimal.ok).padStart(6),
    String(minimal.failed).padStart(7),
  );
  for (const r of [baseline, full]) {
    console.log(
      `${r.calls} calls`.padEnd(22),
      r.startupMs.toFixed(0).padStart(12),
      r.load.p50Ms.toFixed(0).padStart(7),
      r.load.p99Ms.toFixed(0).padStart(7),
      r.load.maxMs.toFixed(0).padStart(7),
      String(r.load.ok).padStart(6),
      String(r.load.failed).padStart(7),
      r.rss.toFixed(0).padStart(7),
      String(r.kill.acknowledged).padStart(6),
      String(r.kill.lostOlder).padStart(9),
      String(r.kill.lostNewer).padStart(9),
    );
  }
  const checks: Array<[string, string, boolean]> = [
    [
      `webhook p99 at ${largestCap} calls under ${rate} events/s: ${full.load.p99Ms.toFixed(1)} ms (empty history: ${baseline.load.p99Ms.toFixed(1)} ms, minimal express: ${minimal.p99Ms.toFixed(1)} ms)`,
      `< ${targets.p99Ms} ms`,
      full.load.p99Ms < targets.p99Ms && full.load.failed === 0,
    ],
    [
      `start-up to listening at ${largestCap} calls, median of ${startups} starts: ${full.startupMs.toFixed(0)} ms (empty: ${baseline.startupMs.toFixed(0)} ms)`,
      `< ${targets.startupMs} ms`,
      full.startupMs < targets.startupMs,
    ],
    [
      `RSS of serve at ${largestCap} calls after the load: ${full.rss.toFixed(0)} MB (empty: ${baseline.rss.toFixed(0)} MB)`,
      `< ${targets.rssMb} MB`,
      full.rss < targets.rssMb,
    ],
    [
      `kill -9: ${full.kill.lostOlder} of the events acknowledged more than ${targets.lossWindowMs} ms before it lost (${full.kill.lostNewer} of the last second)`,
      '0',
      full.kill.lostOlder === 0 && baseline.kill.lostOlder === 0,
    ],
  ];
  console.log();
  for (const [figure, target, pass] of checks) console.log(`${verdict(pass)}  ${figure}  [target ${target}]`);
  return checks.every(([, , pass]) => pass);
}

/**
 * Team mode at scale: one receiver (`serve --team-dir`, the built CLI), Mosquitto, and 100 then
 * 500 agents' subscribers (the real subscriber and pipeline, in this process), 1,000 ringing
 * calls spread over all agents: time from the webhook's arrival to each subscriber's
 * notification, and how many calls were lost, misrouted or duplicated; then the receiver's
 * throughput with publishing against a minimal express app, in the same run.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import autocannon from 'autocannon';
import { createCallPipeline } from '../src/core/calls/callPipeline';
import { openCallDatabase } from '../src/core/history/callDatabase';
import { createCallHistory } from '../src/core/history/callHistory';
import { silentLogger } from '../src/core/log/logger';
import type { DeviceCredentials } from '../src/core/team/desktop/enrol';
import { startTeamSubscriber } from '../src/core/team/desktop/teamSubscriber';
import { agentLegPayload, sampleCall } from '../src/core/telecmi/sampleEvents';
import { mosquittoPath, startMosquitto, type RunningBroker } from '../test/support/mosquitto';
import { teamFolderWithDevices } from '../test/support/teamFolder';
import { startServer } from './receiver.bench';
import { spoolBench } from './spool.bench';
import { clusterBench } from './cluster.bench';
import { brokerBacklogBench } from './brokerBacklog.bench';

const calls = 1000;
const callsPerSecond = 200;
const targets = { p99Ms: 50, throughputRatio: 0.5 };
const bin = new URL('../bin/telecmi-notifier.js', import.meta.url).pathname;
const preciseNow = (): number => performance.timeOrigin + performance.now();

interface Received {
  agent: string;
  callId: string;
  latencyMs: number;
}

async function teamWith(agents: number) {
  return teamFolderWithDevices(Array.from({ length: agents }, (_, index) => ({ agent: `${1000 + index}_2222223`, teams: [] })));
}

function serve(teamDir: string): Promise<{ child: ChildProcess; webhookUrl: string }> {
  const child = spawn(
    process.execPath,
    [
      bin,
      'serve',
      '--port',
      '0',
      '--data-dir',
      mkdtempSync(join(tmpdir(), 'telecmi-team-bench-server-')),
      '--team-dir',
      teamDir,
      '--log-level',
      'error',
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    lines.on('line', (line) => {
      const parsed = JSON.parse(line) as { type: string; webhookUrl?: string };
      if (parsed.type === 'listening' && parsed.webhookUrl) resolve({ child, webhookUrl: parsed.webhookUrl });
    });
    child.once('exit', (code) => reject(new Error(`serve exited with ${code}`)));
  });
}

/** Every agent's subscriber with its own pipeline, recording when each notification is raised. */
async function subscribers(devices: DeviceCredentials[], received: Received[]) {
  const running = await Promise.all(
    devices.map(
      (device) =>
        new Promise<{ stop: () => Promise<void> }>((resolve) => {
          const history = createCallHistory({ database: openCallDatabase(undefined, silentLogger), maxCalls: 1000, log: silentLogger });
          const pipeline = createCallPipeline({
            history,
            isWanted: () => true,
            log: silentLogger,
            burst: { limit: Number.MAX_SAFE_INTEGER, windowMs: 1000 },
            notifier: {
              notify: (notification) => {
                if (notification.type === 'ringing')
                  received.push({
                    agent: device.agent,
                    callId: notification.call.id,
                    latencyMs: preciseNow() - notification.call.receivedAt,
                  });
              },
            },
          });
          const subscriber = startTeamSubscriber({
            device,
            log: silentLogger,
            onEvent: (event, options) => void pipeline.ingest(event, options),
            onState: (state) => state.state === 'connected' && resolve(subscriber),
          });
        }),
    ),
  );
  return () => Promise.all(running.map((subscriber) => subscriber.stop()));
}

async function ringAll(webhookUrl: string, agents: string[], count = calls) {
  const sent = new Map<string, string>();
  const requests: Array<Promise<unknown>> = [];
  const started = performance.now();
  for (let index = 0; index < count; index += 1) {
    const due = started + (index * 1000) / callsPerSecond;
    if (due > performance.now()) await new Promise((resolve) => setTimeout(resolve, due - performance.now()));
    const call = sampleCall({ user: agents[index % agents.length], team: 'Bench_2222223' });
    sent.set(call.callId, call.user);
    requests.push(
      fetch(webhookUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(agentLegPayload(call, 'started', Date.now())),
      }).then((response) => response.arrayBuffer()),
    );
  }
  await Promise.all(requests);
  return sent;
}

function percentile(values: number[], fraction: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))] ?? Number.NaN;
}

/** 1,000 ringing calls spread over the devices' agents, after a warm-up: arrival to notification, and what went astray. */
export async function measureFanOut(webhookUrl: string, devices: DeviceCredentials[]) {
  const received: Received[] = [];
  const stopSubscribers = await subscribers(devices, received);
  const agents = devices.map((device) => device.agent);
  try {
    // Warm-up: the first calls meet code not yet compiled, in the receiver and here.
    await ringAll(webhookUrl, agents, 100);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    received.length = 0;
    const sent = await ringAll(webhookUrl, agents);
    for (let waited = 0; received.length < calls && waited < 10_000; waited += 100)
      await new Promise((resolve) => setTimeout(resolve, 100));
    const byCall = new Map<string, Received[]>();
    for (const one of received) byCall.set(one.callId, [...(byCall.get(one.callId) ?? []), one]);
    const lost = [...sent.keys()].filter((callId) => !byCall.has(callId)).length;
    const misrouted = received.filter((one) => sent.get(one.callId) !== one.agent).length;
    const duplicated = [...byCall.values()].filter((list) => list.length > 1).length;
    const latencies = received.map((one) => one.latencyMs);
    return { agents: devices.length, p50: percentile(latencies, 0.5), p99: percentile(latencies, 0.99), lost, misrouted, duplicated };
  } finally {
    await stopSubscribers();
  }
}

async function fanOut(agents: number) {
  const { dir, ports, devices } = await teamWith(agents);
  const broker: RunningBroker = await startMosquitto(mosquittoPath as string, join(dir, 'mosquitto.conf'), ports);
  const server = await serve(dir);
  try {
    return await measureFanOut(server.webhookUrl, devices);
  } finally {
    server.child.kill();
    await broker.stop();
  }
}

async function throughput(): Promise<{ team: number; minimal: number }> {
  const { dir, ports } = await teamWith(1);
  const broker = await startMosquitto(mosquittoPath as string, join(dir, 'mosquitto.conf'), ports);
  const measure = async (url: string): Promise<number> => {
    const options = {
      url,
      connections: 10,
      method: 'POST' as const,
      headers: { 'content-type': 'application/json' },
      requests: [
        {
          setupRequest: (request: object) => ({
            ...request,
            body: JSON.stringify(agentLegPayload(sampleCall({ user: '1000_2222223' }), 'started', Date.now())),
          }),
        },
      ],
    };
    await autocannon({ ...options, duration: 1 });
    const started = performance.now();
    const result = await autocannon({ ...options, duration: 5 });
    return result['2xx'] / ((performance.now() - started) / 1000);
  };
  try {
    const server = await serve(dir);
    const team = await measure(server.webhookUrl);
    server.child.kill();
    const { child, port } = await startServer('minimal-express');
    const minimal = await measure(`http://127.0.0.1:${port}/telecmi/bench-token-0123456789abcdefghijk`);
    child.kill();
    return { team, minimal };
  } finally {
    await broker.stop();
  }
}

export async function teamBench(): Promise<boolean> {
  if (!mosquittoPath) {
    console.log('\n## Team mode: skipped, Mosquitto is not installed (apt install mosquitto)');
    return false;
  }
  execFileSync(process.execPath, [
    new URL('../node_modules/vite/bin/vite.js', import.meta.url).pathname,
    'build',
    '--config',
    'vite.cli.config.ts',
    '--logLevel',
    'error',
  ]);
  console.log(`\n## Team mode: serve -> Mosquitto -> N subscribers, ${calls} ringing calls at ${callsPerSecond}/s spread over all agents`);
  const runs = [await fanOut(100), await fanOut(500)];
  console.log(
    'subscribers'.padEnd(12),
    'p50 ms'.padStart(8),
    'p99 ms'.padStart(8),
    'lost'.padStart(6),
    'misrouted'.padStart(10),
    'duplicated'.padStart(11),
  );
  for (const r of runs)
    console.log(
      String(r.agents).padEnd(12),
      r.p50.toFixed(1).padStart(8),
      r.p99.toFixed(1).padStart(8),
      String(r.lost).padStart(6),
      String(r.misrouted).padStart(10),
      String(r.duplicated).padStart(11),
    );
  const { team, minimal } = await throughput();
  const at500 = runs[1] as (typeof runs)[number];
  const checks: Array<[string, string, boolean]> = [
    [
      `arrival to notification at 500 subscribers: p99 ${at500.p99.toFixed(1)} ms (100 subscribers: ${runs[0]?.p99.toFixed(1)} ms)`,
      `< ${targets.p99Ms} ms`,
      at500.p99 < targets.p99Ms,
    ],
    [
      `lost / misrouted / duplicated: ${runs.map((r) => `${r.lost}/${r.misrouted}/${r.duplicated}`).join(', ')}`,
      '0/0/0',
      runs.every((r) => r.lost + r.misrouted + r.duplicated === 0),
    ],
    [
      `receiver throughput with publishing: ${team.toFixed(0)} req/s vs minimal express ${minimal.toFixed(0)} req/s = ${(team / minimal).toFixed(2)}`,
      `>= ${targets.throughputRatio}`,
      team / minimal >= targets.throughputRatio,
    ],
    ...(await clusterBench(measureFanOut, at500.p99)),
    ...(await spoolBench()),
    ...(await brokerBacklogBench()),
  ];
  console.log();
  for (const [figure, target, pass] of checks) console.log(`${pass ? 'PASS' : 'FAIL'}  ${figure}  [target ${target}]`);
  return checks.every(([, , pass]) => pass);
}

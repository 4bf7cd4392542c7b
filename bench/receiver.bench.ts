import { fork, type ChildProcess } from 'node:child_process';
import autocannon from 'autocannon';
import { agentLegPayload, sampleCall } from '../src/core/telecmi/sampleEvents';
import { benchToken, contactCount, contactNumber, type PipelineStats, type ServerKind } from './benchProtocol';

const events = 20_000;
const warmupSeconds = 1;
/**
 * Throughput is measured in rounds: each server in turn for `roundSeconds`, `rounds` times, and
 * each ratio taken within a round. This machine has slow spells of several seconds (the same
 * server measured twice in a row differed by 1.8x): servers measured one after the other for
 * seconds each compare the spells more than the servers.
 */
const rounds = 5;
const roundSeconds = 1;
const connections = 10;

const targets = { receiverToExpress: 0.85, pipelineToExpress: 0.7, notifyP99Ms: 5, rssGrowthMb: 100 };

interface LoadResult {
  requestsPerSec: number;
  /** Server CPU time (user + system) per request. */
  cpuMicrosPerRequest: number;
  p50Ms: number;
  p99Ms: number;
  ok: number;
  failed: number;
}

export function startServer(kind: ServerKind): Promise<{ child: ChildProcess; port: number }> {
  const child = fork(new URL('./benchServers.ts', import.meta.url), [kind], {
    execArgv: ['--import', 'tsx', '--expose-gc'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    child.once('message', (message: { port: number }) => resolve({ child, port: message.port }));
    child.once('exit', (code) => reject(new Error(`${kind} server exited with ${code}`)));
  });
}

function ask<T>(child: ChildProcess, question: string): Promise<T> {
  return new Promise((resolve) => {
    child.once('message', (message) => resolve(message as T));
    child.send(question);
  });
}

/**
 * Posts distinct leg B "started" events, as TeleCMI would, over keep-alive connections: for a
 * number of seconds (throughput), or a number of events (memory, loss).
 */
/** Callers in a call centre ring again and again; the worst case is a new number every time. */
type Callers = 'all new' | 'repeating';
const repeatingCallers = Array.from({ length: 200 }, () => sampleCall().from);
/** New callers: half of them among the pipeline's contacts (a name is looked up and shown), half unknown. */
const callerFor = (callers: Callers): string | undefined => {
  if (callers === 'repeating') return repeatingCallers[Math.floor(Math.random() * repeatingCallers.length)];
  return Math.random() < 0.5 ? contactNumber(Math.floor(Math.random() * contactCount)) : undefined;
};

async function load(
  child: ChildProcess,
  port: number,
  until: { seconds: number } | { amount: number },
  callers: Callers = 'all new',
): Promise<LoadResult> {
  const cpuBefore = await ask<{ cpuMicros: number }>(child, 'cpu');
  const startedAt = performance.now();
  const result = await autocannon({
    url: `http://127.0.0.1:${port}/telecmi/${benchToken}`,
    connections,
    ...('seconds' in until ? { duration: until.seconds } : { amount: until.amount }),
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    requests: [
      {
        setupRequest: (request) => {
          const from = callerFor(callers);
          const call = sampleCall(from ? { from } : {});
          return { ...request, body: JSON.stringify(agentLegPayload(call, 'started', Date.now())) };
        },
      },
    ],
  });
  // autocannon reports whole seconds: too coarse for runs this short.
  const seconds = (performance.now() - startedAt) / 1000;
  const cpuAfter = await ask<{ cpuMicros: number }>(child, 'cpu');
  return {
    requestsPerSec: result.requests.total / seconds,
    cpuMicrosPerRequest: (cpuAfter.cpuMicros - cpuBefore.cpuMicros) / result.requests.total,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    ok: result['2xx'],
    failed: result.non2xx + result.errors + result.timeouts,
  };
}

async function withServer<T>(kind: ServerKind, use: (child: ChildProcess, port: number) => Promise<T>): Promise<T> {
  const { child, port } = await startServer(kind);
  try {
    return await use(child, port);
  } finally {
    child.kill();
  }
}

interface Contender {
  name: string;
  kind: ServerKind;
  callers: Callers;
}

/** Every contender's figures per round, measured in turn after a warm-up each. */
async function interleavedThroughput(contenders: readonly Contender[]): Promise<LoadResult[][]> {
  const servers = await Promise.all(contenders.map(async (contender) => ({ ...contender, ...(await startServer(contender.kind)) })));
  try {
    for (const server of servers) await load(server.child, server.port, { seconds: warmupSeconds }, server.callers);
    const results: LoadResult[][] = servers.map(() => []);
    for (let round = 0; round < rounds; round += 1) {
      for (const [index, server] of servers.entries())
        results[index]?.push(await load(server.child, server.port, { seconds: roundSeconds }, server.callers));
    }
    return results;
  } finally {
    for (const server of servers) server.child.kill();
  }
}

const median = (values: readonly number[]): number => percentile([...values], 0.5);

/** One figure for a contender's rounds: the median of each column. */
function medianResult(results: readonly LoadResult[]): LoadResult {
  const column = (pick: (result: LoadResult) => number): number => median(results.map(pick));
  return {
    requestsPerSec: column((result) => result.requestsPerSec),
    cpuMicrosPerRequest: column((result) => result.cpuMicrosPerRequest),
    p50Ms: column((result) => result.p50Ms),
    p99Ms: column((result) => result.p99Ms),
    ok: results.reduce((sum, result) => sum + result.ok, 0),
    failed: results.reduce((sum, result) => sum + result.failed, 0),
  };
}

/** The ratio of two contenders' throughput in each round (same spell of the machine), lowest to highest. */
const roundRatios = (of: readonly LoadResult[], to: readonly LoadResult[]): number[] =>
  of.map((result, round) => result.requestsPerSec / (to[round]?.requestsPerSec ?? Number.NaN)).sort((a, b) => a - b);

/** The pipeline through exactly `events` events: memory before and after, notify latency, loss. */
function pipelineRun() {
  return withServer('pipeline', async (child, port) => {
    await load(child, port, { seconds: warmupSeconds });
    const before = await ask<{ stats: PipelineStats }>(child, 'stats');
    child.send('reset');
    const result = await load(child, port, { amount: events });
    const after = await ask<{ stats: PipelineStats }>(child, 'stats');
    return { result, before: before.stats, after: after.stats };
  });
}

function percentile(values: number[], fraction: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))] ?? Number.NaN;
}

const mb = (bytes: number): number => bytes / 1024 / 1024;
const verdict = (pass: boolean): string => (pass ? 'PASS' : 'FAIL');

export async function receiverBench(): Promise<boolean> {
  console.log(`\n## Receiver: distinct leg B POSTs over ${connections} keep-alive connections on loopback`);
  console.log(
    `throughput: ${rounds} rounds of ${roundSeconds} s per server in turn, after ${warmupSeconds} s of warm-up each; then exactly ${events} events through the pipeline`,
  );
  console.log(`the pipeline holds ${contactCount} contacts; half of the new callers are among them`);
  const contenders: Contender[] = [
    { name: 'bare node:http (baseline a)', kind: 'bare-http', callers: 'all new' },
    { name: 'minimal express + express.json() (baseline b)', kind: 'minimal-express', callers: 'all new' },
    { name: 'receiver alone: validation, no pipeline', kind: 'receiver', callers: 'all new' },
    { name: 'receiver + full pipeline (every caller new)', kind: 'pipeline', callers: 'all new' },
    { name: 'receiver + full pipeline (200 callers repeating)', kind: 'pipeline', callers: 'repeating' },
  ];
  const [bareRounds = [], minimalRounds = [], receiverRounds = [], fullRounds = [], repeatingRounds = []] =
    await interleavedThroughput(contenders);
  const pipeline = await pipelineRun();

  console.log(
    'server (median of the rounds)'.padEnd(48),
    'req/s'.padStart(8),
    'CPU µs/req'.padStart(11),
    'p50 ms'.padStart(7),
    'p99 ms'.padStart(7),
    '2xx'.padStart(7),
    'failed'.padStart(7),
  );
  for (const [index, rounds] of [bareRounds, minimalRounds, receiverRounds, fullRounds, repeatingRounds].entries()) {
    const r = medianResult(rounds);
    console.log(
      (contenders[index]?.name ?? '').padEnd(48),
      r.requestsPerSec.toFixed(0).padStart(8),
      r.cpuMicrosPerRequest.toFixed(1).padStart(11),
      r.p50Ms.toFixed(2).padStart(7),
      r.p99Ms.toFixed(2).padStart(7),
      String(r.ok).padStart(7),
      String(r.failed).padStart(7),
    );
  }
  const { result: counted } = pipeline;
  console.log(
    `pipeline through exactly ${events} events: ${counted.ok} answered 2xx, ${counted.failed} failed, p99 ${counted.p99Ms.toFixed(2)} ms`,
  );

  const toExpress = roundRatios(fullRounds, minimalRounds);
  const ratioToExpress = median(toExpress);
  const ratioToBare = median(roundRatios(fullRounds, bareRounds));
  const receiverToExpress = median(roundRatios(receiverRounds, minimalRounds));
  const repeatingToExpress = median(roundRatios(repeatingRounds, minimalRounds));
  const cpuRatioToExpress = median(
    minimalRounds.map((minimal, round) => minimal.cpuMicrosPerRequest / (fullRounds[round]?.cpuMicrosPerRequest ?? Number.NaN)),
  );
  const spread = (ratios: readonly number[]): string => ratios.map((ratio) => ratio.toFixed(2)).join(', ');
  const latencies = pipeline.after.notifyLatenciesMs;
  const notifyP50 = percentile(latencies, 0.5);
  const notifyP99 = percentile(latencies, 0.99);
  const rssGrowth = mb(pipeline.after.rssBytes - pipeline.before.rssBytes);
  const lost = events - pipeline.result.ok;

  const checks: Array<[string, string, boolean]> = [
    [
      `throughput of the full pipeline vs minimal express: ${ratioToExpress.toFixed(2)} (the rounds: ${spread(toExpress)}); CPU per request, all threads: ${medianResult(fullRounds).cpuMicrosPerRequest.toFixed(0)} µs vs ${medianResult(minimalRounds).cpuMicrosPerRequest.toFixed(0)} µs`,
      `>= ${targets.pipelineToExpress}`,
      ratioToExpress >= targets.pipelineToExpress,
    ],
    [`throughput vs bare node:http: ${ratioToBare.toFixed(2)}`, '(reported)', true],
    [
      `the receiver alone (validation, no pipeline) vs minimal express: ${receiverToExpress.toFixed(2)}`,
      `>= ${targets.receiverToExpress}`,
      receiverToExpress >= targets.receiverToExpress,
    ],
    [`throughput with repeating callers vs minimal express: ${repeatingToExpress.toFixed(2)}`, '(reported)', true],
    [`requests per server CPU-second vs minimal express: ${cpuRatioToExpress.toFixed(2)}`, '(reported)', true],
    [
      `arrival to notifier call, ${contactCount} contacts loaded: p50 ${notifyP50.toFixed(3)} ms, p99 ${notifyP99.toFixed(3)} ms (${latencies.length} calls)`,
      `p99 < ${targets.notifyP99Ms} ms`,
      notifyP99 < targets.notifyP99Ms && latencies.length === events,
    ],
    [
      `RSS ${mb(pipeline.before.rssBytes).toFixed(1)} MB -> ${mb(pipeline.after.rssBytes).toFixed(1)} MB after ${events} events (+${rssGrowth.toFixed(1)} MB)`,
      `< ${targets.rssGrowthMb} MB growth`,
      rssGrowth < targets.rssGrowthMb,
    ],
    [`requests lost or failed: ${lost + pipeline.result.failed}`, '0', lost === 0 && pipeline.result.failed === 0],
  ];
  console.log();
  for (const [figure, target, pass] of checks) console.log(`${verdict(pass)}  ${figure}  [target ${target}]`);
  return checks.every(([, , pass]) => pass);
}

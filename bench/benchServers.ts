/**
 * The servers the receiver benchmark compares, each run in its own process (`fork`ed by
 * receiver.bench.ts) so the load generator does not share its event loop.
 */
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import express from 'express';
import { beginOpeningHistory } from '../src/cli/dataDir';
import { createCallHost } from '../src/core/host/callHost';
import { createHttpTransport } from '../src/core/receiver/httpTransport';
import { describeNotification, type Notifier } from '../src/core/calls/callNotification';
import { silentLogger } from '../src/core/log/logger';
import { createReceiver } from '../src/core/receiver/createReceiver';
import { listen } from '../src/core/receiver/listen';
import { createRequestLog } from '../src/core/receiver/requestLog';
import { createContactBook } from '../src/core/contacts/contactBook';
import { benchToken, contactCount, contactNumber, type PipelineStats, type ServerKind } from './benchProtocol';

type Reply = { port: number } | { stats: PipelineStats } | { cpuMicros: number };

const send = (message: Reply): void => void process.send?.(message);
const preciseNow = (): number => performance.timeOrigin + performance.now();

async function startBareHttp(): Promise<number> {
  const server = createServer((req, res) => {
    req.on('data', () => undefined);
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as { port: number }).port;
}

async function startMinimalExpress(): Promise<number> {
  const app = express();
  app.post('/telecmi/:token', express.json(), (_req, res) => {
    res.json({ ok: true });
  });
  return (await listen(app, { host: '127.0.0.1', port: 0 })).port;
}

/** The receiver as the app runs it (routing, token, validation, request log), handing each event to nothing: the ceiling of the full pipeline. */
async function startReceiverAlone(): Promise<number> {
  const app = createReceiver({ token: benchToken, ingest: () => 'recorded', requestLog: createRequestLog(), log: silentLogger });
  return (await listen(app, { host: '127.0.0.1', port: 0 })).port;
}

async function startPipeline(): Promise<number> {
  const notifyLatenciesMs: number[] = [];
  // Does what the real notifiers do before handing over to the OS: build the text.
  const notifier: Notifier = {
    notify(notification) {
      describeNotification(notification);
      if (notification.type === 'ringing') notifyLatenciesMs.push(preciseNow() - notification.call.receivedAt);
    },
  };
  const dataDir = mkdtempSync(`${tmpdir()}/telecmi-bench-`);
  const contacts = createContactBook(
    Array.from({ length: contactCount }, (_, index) => ({
      name: `Contact ${index}`,
      numbers: [{ raw: contactNumber(index), e164: `+${contactNumber(index)}` }],
    })),
    'IN',
  );
  const settings = { host: '127.0.0.1', port: 0, token: benchToken, agents: [], teams: [], maxCalls: 1000 };
  const host = createCallHost({
    settings,
    notifier,
    database: beginOpeningHistory(dataDir, silentLogger).opened(),
    log: silentLogger,
    // Every call reaches the notifier: the worst case, and one latency sample per request.
    burst: { limit: Number.MAX_SAFE_INTEGER, windowMs: 1000 },
    namesFor: contacts.namesFor,
  });
  const { origin = '' } = await createHttpTransport({ settings, ingest: host.ingest, log: silentLogger }).start();
  process.on('message', (message) => {
    if (message === 'reset') notifyLatenciesMs.length = 0;
    if (message !== 'stats') return;
    globalThis.gc?.();
    const { rss, heapUsed } = process.memoryUsage();
    send({ stats: { notifyLatenciesMs, rssBytes: rss, heapUsedBytes: heapUsed } });
  });
  return Number(new URL(origin).port);
}

const starters: Record<ServerKind, () => Promise<number>> = {
  'bare-http': startBareHttp,
  'minimal-express': startMinimalExpress,
  receiver: startReceiverAlone,
  pipeline: startPipeline,
};

/** CPU time is the fairer figure on a small machine where the load generator competes for cores. */
process.on('message', (message) => {
  if (message !== 'cpu') return;
  const { user, system } = process.cpuUsage();
  send({ cpuMicros: user + system });
});

// A clean exit on SIGTERM lets --cpu-prof write its profile when the benchmark stops a server.
process.on('SIGTERM', () => process.exit(0));

const kind = process.argv[2] as ServerKind;
send({ port: await starters[kind]() });

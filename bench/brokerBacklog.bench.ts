/**
 * The team's Mosquitto with 500 persistent sessions whose desktops are away and a day's backlog
 * queued for them: how long the receiver waits for each publish's acknowledgement, with the
 * persistence settings `team init` writes against saving every second (what it wrote before).
 * Mosquitto saves its whole database on its one thread at each autosave, so the cost grows with
 * seats × backlog.
 */
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { teamPaths } from '../src/core/team/server/teamFile';
import { topics } from '../src/core/team/topics';
import { mosquittoPath, startMosquitto } from '../test/support/mosquitto';
import { teamFolderWithDevices } from '../test/support/teamFolder';

const seats = 500;
/** A day's calls for an agent away all day, each about a kilobyte (as a call's event is). */
const backlogPerSeat = 40;
const rate = 200;
const targets = { ackP99Ms: 20 };
const payload = 'x'.repeat(1000);

/** Every seat's desktop connects once (its session is kept) and goes away. */
async function leaveSessions(url: string, devices: Awaited<ReturnType<typeof teamFolderWithDevices>>['devices']): Promise<void> {
  for (let start = 0; start < devices.length; start += 50) {
    await Promise.all(
      devices.slice(start, start + 50).map(async (device) => {
        const client = await mqtt.connectAsync(url, {
          username: device.username,
          password: device.password,
          clientId: device.clientId,
          protocolVersion: 5,
          clean: false,
          properties: { sessionExpiryInterval: 86_400 },
        });
        await client.subscribeAsync(topics.agent('+', device.agent), { qos: 1 });
        await client.endAsync();
      }),
    );
  }
}

async function measure(autosave: string, seconds: number) {
  const agents = Array.from({ length: seats }, (_, index) => ({ agent: `${1000 + index}_2222223` }));
  const { dir, ports, team, devices } = await teamFolderWithDevices(agents);
  const conf = teamPaths(dir).conf;
  writeFileSync(conf, readFileSync(conf, 'utf8').replace(/^autosave_interval .*$/m, autosave));
  const broker = await startMosquitto(mosquittoPath as string, conf, ports);
  const url = `mqtt://127.0.0.1:${team.mqttPort}`;
  try {
    await leaveSessions(url, devices);
    const receiver = await mqtt.connectAsync(url, {
      username: team.receiver.username,
      password: team.receiver.password,
      protocolVersion: 5,
    });
    for (let round = 0; round < backlogPerSeat; round += 1) {
      await Promise.all(agents.map(({ agent }) => receiver.publishAsync(topics.agent(2222223, agent), payload, { qos: 1 })));
    }
    const latencies: number[] = [];
    const started = performance.now();
    const pending: Array<Promise<void>> = [];
    for (let sent = 0; sent < rate * seconds; sent += 1) {
      const due = started + (sent * 1000) / rate;
      if (due > performance.now()) await new Promise((resolve) => setTimeout(resolve, due - performance.now()));
      const at = performance.now();
      const agent = agents[sent % seats]?.agent ?? '';
      pending.push(
        receiver.publishAsync(topics.agent(2222223, agent), payload, { qos: 1 }).then(() => void latencies.push(performance.now() - at)),
      );
    }
    await Promise.all(pending);
    await receiver.endAsync();
    latencies.sort((a, b) => a - b);
    const database = join(teamPaths(dir).brokerData, 'mosquitto.db');
    const sizeMb = (() => {
      try {
        return statSync(database).size / 1024 / 1024;
      } catch {
        return 0;
      }
    })();
    const at = (fraction: number): number =>
      latencies[Math.min(latencies.length - 1, Math.floor(fraction * latencies.length))] ?? Number.NaN;
    return { p50: at(0.5), p99: at(0.99), max: latencies.at(-1) ?? Number.NaN, sizeMb };
  } finally {
    await broker.stop();
  }
}

export async function brokerBacklogBench(): Promise<Array<[string, string, boolean]>> {
  console.log(
    `\n## Team broker: ${seats} persistent sessions away, ${backlogPerSeat} queued calls each (${seats * backlogPerSeat} in all), then ${rate} publishes/s`,
  );
  const generated = readFileSync(new URL('../src/core/team/server/brokerFiles.ts', import.meta.url), 'utf8').match(
    /'(autosave_interval \d+)'/,
  )?.[1];
  // Long enough to take in one of the saves the setting makes.
  const interval = Number(generated?.split(' ')[1] ?? 60);
  const now = await measure(generated ?? 'autosave_interval 60', interval + 5);
  const before = await measure('autosave_interval 1', 10);
  console.log(
    'persistence'.padEnd(28),
    'ack p50 ms'.padStart(11),
    'ack p99 ms'.padStart(11),
    'max ms'.padStart(8),
    'mosquitto.db MB'.padStart(16),
  );
  for (const [name, run] of [
    [generated ?? '', now],
    ['autosave_interval 1 (before)', before],
  ] as const) {
    console.log(
      name.padEnd(28),
      run.p50.toFixed(1).padStart(11),
      run.p99.toFixed(1).padStart(11),
      run.max.toFixed(0).padStart(8),
      run.sizeMb.toFixed(1).padStart(16),
    );
  }
  return [
    [
      `publish acknowledged with ${seats} sessions away and their backlog: p99 ${now.p99.toFixed(1)} ms with ${generated} (saving every second: ${before.p99.toFixed(1)} ms)`,
      `< ${targets.ackP99Ms} ms`,
      now.p99 < targets.ackP99Ms,
    ],
  ];
}

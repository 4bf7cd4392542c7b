import mqtt from 'mqtt';
import { describe, expect, it, vi } from 'vitest';
import { readTeam } from '../../src/core/team/server/teamFile';
import { topics } from '../../src/core/team/topics';
import { brokerTestsTitle, skipBrokerTests } from '../support/mosquitto';
import { teamBed } from '../support/teamBed';

const alice = { agent: '204_2222223', team: 'Sales_2222223' };
const queueLimit = 10_000;

describe.skipIf(skipBrokerTests)(brokerTestsTitle("the team broker's limits, against a real Mosquitto"), () => {
  const bed = teamBed();

  it('says when the broker drops calls for a desktop away too long (its queue full), in the log and /metrics, never silently', async () => {
    await bed.setUp([alice]);
    await bed.startBroker();
    const serve = await bed.serve();
    // The desktop joins (its session stays on the broker) and goes away.
    const desk = await bed.connected(bed.listen(alice.agent));
    await desk.stop('SIGTERM');
    const team = readTeam(bed.dir('team'));
    const receiver = await mqtt.connectAsync(`mqtt://127.0.0.1:${team.mqttPort}`, {
      username: team.receiver.username,
      password: team.receiver.password,
      protocolVersion: 5,
    });
    try {
      const over = 50;
      for (let sent = 0; sent < queueLimit + over; sent += 500) {
        await Promise.all(
          Array.from({ length: 500 }, (_, index) =>
            receiver.publishAsync(topics.agent(2222223, alice.agent), `call ${sent + index}`, { qos: 1 }),
          ),
        );
      }
      const metric = async () =>
        Number(
          (
            await (
              await fetch(new URL(`/metrics?token=${new URL(bed.webhookUrl()).pathname.split('/').at(-1) ?? ''}`, bed.webhookUrl()))
            ).text()
          )
            .split('\n')
            .find((line) => line.startsWith('telecmi_broker_dropped_messages '))
            ?.split(' ')[1],
        );
      await vi.waitFor(async () => expect(await metric()).toBeGreaterThanOrEqual(over), { timeout: 12_000, interval: 500 });
      expect(serve.stderr()).toMatch(/the broker dropped calls for desktops away too long/);
    } finally {
      await receiver.endAsync();
    }
  }, 30_000);
});

import { describe, expect, it } from 'vitest';
import { agentLegPayload, callerLegPayload, sampleCall } from '../../src/core/telecmi/sampleEvents';
import type { Line } from '../support/cliProcess';
import { brokerTestsTitle, skipBrokerTests } from '../support/mosquitto';
import { postJson } from '../support/receiverServer';
import { teamBed, type Running } from '../support/teamBed';

const alice = { agent: '204_2222223', team: 'Sales_2222223' };
const bob = { agent: '205_2222223', team: 'Sales_2222223' };

/** A leg without its team: only its agent's topic names it, as in a hunt group of single agents. */
function leg(call: ReturnType<typeof sampleCall>, status: 'started' | 'answered' | 'hangup') {
  const { team: _team, ...payload } = agentLegPayload(call, status, Date.now());
  return payload;
}

describe.skipIf(skipBrokerTests)(brokerTestsTitle('two team servers behind one URL, against a real Mosquitto'), () => {
  const bed = teamBed();

  async function twoReceivers(): Promise<{ first: Running; second: Running; urls: [string, string] }> {
    const first = await bed.serve();
    const second = await bed.serve('--data-dir', bed.dir('server-2'));
    const urlOf = async (serve: Running) => String((await serve.waitFor((line) => line.type === 'listening')).webhookUrl);
    return { first, second, urls: [await urlOf(first), await urlOf(second)] };
  }

  it("behave as one: a colleague's answer through one reaches the desktop rung through the other, once", async () => {
    await bed.setUp([alice, bob]);
    await bed.startBroker();
    const { urls } = await twoReceivers();
    const [aliceDesk, bobDesk] = await Promise.all([bed.connected(bed.listen(alice.agent, 30)), bed.connected(bed.listen(bob.agent, 30))]);
    const toAlice = sampleCall({ user: alice.agent });
    const toBob = { ...toAlice, callId: crypto.randomUUID(), user: bob.agent };
    // The hunt group rings both through the second receiver, which also gets Alice's end; Bob's
    // answer and the caller's end come to the first, which saw neither leg ring.
    for (const payload of [leg(toAlice, 'started'), leg(toBob, 'started')]) expect((await postJson(urls[1], payload)).status).toBe(200);
    const rang = (desk: Running) => desk.waitFor((line) => line.type === 'notification' && line.kind === 'ringing');
    await Promise.all([rang(aliceDesk), rang(bobDesk)]);
    expect((await postJson(urls[0], leg(toBob, 'answered'))).status).toBe(200);
    expect((await postJson(urls[1], leg(toAlice, 'hangup'))).status).toBe(200);
    for (const payload of [leg(toBob, 'hangup'), callerLegPayload(toAlice, 'hangup', Date.now())])
      expect((await postJson(urls[0], payload)).status).toBe(200);
    const told = await aliceDesk.waitFor((line) => line.type === 'notification' && line.kind !== 'ringing');
    expect(told).toMatchObject({ kind: 'answered-elsewhere', calls: [{ state: 'answered-elsewhere', answeredBy: bob.agent }] });
    const notifications = (desk: Running) => desk.lines.filter((line: Line) => line.type === 'notification');
    expect(notifications(aliceDesk).map((line) => line.kind)).toEqual(['ringing', 'answered-elsewhere']);
  });

  it('keep a desktop told the team server is online while one of them runs', async () => {
    await bed.setUp([alice]);
    await bed.startBroker();
    const { first, second } = await twoReceivers();
    const desk = await bed.connected(bed.listen(alice.agent, 30));
    await desk.waitFor((line) => line.type === 'connection' && line.teamServer === 'online');
    const after = desk.lines.length;
    await second.stop('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(desk.lines.slice(after).filter((line: Line) => line.type === 'connection' && line.teamServer === 'offline')).toEqual([]);
    await first.stop('SIGTERM');
    await desk.waitFor((line) => line.type === 'connection' && line.teamServer === 'offline', { after });
  });
});

import { describe, expect, it } from 'vitest';
import { agentLegPayload, callerLegPayload, sampleCall, type SampleCall } from '../../src/core/telecmi/sampleEvents';
import { loadEvent } from '../support/fixtures';
import { brokerTestsTitle, skipBrokerTests } from '../support/mosquitto';
import { postJson } from '../support/receiverServer';
import { teamBed, type Running, type TeamAgent } from '../support/teamBed';

/** Two agents of one team, and one of another. */
const ann = { agent: '204_2222223', team: 'Sales_2222223', name: 'Ann Joseph' };
const ravi = { agent: '206_2222223', team: 'Sales_2222223', name: 'Ravi Kumar' };
const bob = { agent: '205_2222223', team: 'Support_2222223', name: 'Bob Das' };

describe.skipIf(skipBrokerTests)(brokerTestsTitle('a call is a conversation, in team mode: serve -> Mosquitto -> two desktops'), () => {
  const bed = teamBed();

  /** A team whose server runs, with Ann's and Ravi's desktops (Sales) and Bob's (Support) connected. */
  async function team(): Promise<Record<'ann' | 'ravi' | 'bob', Running>> {
    await bed.setUp([ann, ravi, bob]);
    await bed.startBroker();
    await bed.serve();
    const desks = { ann: bed.listen(ann.agent, 10), ravi: bed.listen(ravi.agent, 10), bob: bed.listen(bob.agent, 10) };
    await Promise.all(Object.values(desks).map(bed.connected));
    return desks;
  }

  /** One caller's conversation ringing several agents: each leg, the caller leg, and TeleCMI's clock. */
  function conversation(...agents: TeamAgent[]) {
    const base = sampleCall();
    const legs = new Map(agents.map((agent) => [agent, { ...base, callId: crypto.randomUUID(), user: agent.agent, team: agent.team }]));
    const start = Date.now();
    const leg = (agent: TeamAgent): SampleCall => legs.get(agent) as SampleCall;
    return {
      base,
      idOf: (agent: TeamAgent) => leg(agent).callId,
      ring: (agent: TeamAgent, at = 0) => postJson(bed.webhookUrl(), agentLegPayload(leg(agent), 'started', start + at)),
      answer: (agent: TeamAgent, at = 5000) => postJson(bed.webhookUrl(), agentLegPayload(leg(agent), 'answered', start + at)),
      hangUp: (agent: TeamAgent, at = 20_000) => postJson(bed.webhookUrl(), agentLegPayload(leg(agent), 'hangup', start + at)),
      callerHangsUp: (at = 30_000) => postJson(bed.webhookUrl(), callerLegPayload(base, 'hangup', start + at)),
    };
  }

  const kinds = (running: Running) => running.lines.filter((line) => line.type === 'notification').map((line) => line.kind);
  const quiet = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  const savedCalls = (agent: TeamAgent, running: Running) => bed.saved(agent.agent, running);

  it('rings each desktop once for its own leg of a ring-all, and tells the other "Answered by" its teammate, never "missed"', async () => {
    const desks = await team();
    const call = conversation(ann, ravi);
    await call.ring(ann);
    await call.ring(ravi);
    await call.answer(ravi);
    await call.hangUp(ann);
    const answered = await desks.ann.waitFor((line) => line.kind === 'answered-elsewhere');
    expect(answered).toMatchObject({ title: 'Answered by Ravi Kumar', calls: [{ id: call.idOf(ann), answeredBy: ravi.agent }] });
    await call.hangUp(ravi, 60_000);
    await call.callerHangsUp(60_000);
    await quiet(2500);
    expect(kinds(desks.ann)).toEqual(['ringing', 'answered-elsewhere']);
    expect(kinds(desks.ravi)).toEqual(['ringing']);
    expect(kinds(desks.bob)).toEqual([]);
    const ringing = desks.ann.lines.find((line) => line.kind === 'ringing');
    expect(String(ringing?.body).split('\n')[0]).toBe('first call');
    expect(await savedCalls(ann, desks.ann)).toMatchObject([{ id: call.idOf(ann), state: 'answered-elsewhere', answeredBy: ravi.agent }]);
    expect(await savedCalls(ravi, desks.ravi)).toMatchObject([{ id: call.idOf(ravi), state: 'ended' }]);
  });

  it('says "Answered by" across teams, in a hunt group answered 2.5 s after my leg timed out', async () => {
    const desks = await team();
    const call = conversation(ann, bob);
    await call.ring(ann);
    await call.hangUp(ann, 20_000);
    await quiet(2500);
    await call.ring(bob, 22_500);
    await call.answer(bob, 30_000);
    await desks.ann.waitFor((line) => line.kind === 'answered-elsewhere');
    await quiet(2000);
    expect(kinds(desks.ann)).toEqual(['ringing', 'answered-elsewhere']);
    expect(kinds(desks.bob)).toEqual(['ringing']);
  });

  it('says "Missed call" on each desktop when nobody answered, and a teammate’s call back clears it on both', async () => {
    const desks = await team();
    const call = conversation(ann, ravi);
    await call.ring(ann);
    await call.ring(ravi);
    await call.hangUp(ann);
    await call.hangUp(ravi);
    await call.callerHangsUp();
    await desks.ann.waitFor((line) => line.kind === 'missed');
    await desks.ravi.waitFor((line) => line.kind === 'missed');
    expect(desks.ann.lines.find((line) => line.kind === 'missed')).toMatchObject({ calls: [{ callBack: { state: 'pending' } }] });
    const callBack = { ...loadEvent('outgoing-started'), user: ravi.agent, to: call.base.from, app_id: 2222223, time: Date.now() };
    expect((await postJson(bed.webhookUrl(), callBack)).body).toEqual({ ok: true });
    await quiet(1500);
    for (const [agent, running] of [
      [ann, desks.ann],
      [ravi, desks.ravi],
    ] as const) {
      const [saved] = await savedCalls(agent, running);
      expect(saved).toMatchObject({ state: 'missed', callBack: { state: 'done', by: ravi.agent, how: 'called-back' } });
    }
  });

  it('clears a missed call on every desktop that had it when the caller calls again and a teammate answers', async () => {
    const desks = await team();
    const first = conversation(ann, ravi);
    await first.ring(ann);
    await first.ring(ravi);
    await first.hangUp(ann);
    await first.hangUp(ravi);
    await first.callerHangsUp();
    await desks.ann.waitFor((line) => line.kind === 'missed');
    // The same caller, again: this time only Bob's phone (another team) rings, and he answers.
    const again = { ...sampleCall({ from: first.base.from, user: bob.agent, team: bob.team }) };
    await postJson(bed.webhookUrl(), agentLegPayload(again, 'started', Date.now()));
    await postJson(bed.webhookUrl(), agentLegPayload(again, 'answered', Date.now() + 3000));
    await quiet(1500);
    const [saved] = await savedCalls(ann, desks.ann);
    expect(saved).toMatchObject({ state: 'missed', callBack: { state: 'done', by: bob.agent, how: 'called-again' } });
  });
});

import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { agentLegPayload, callerLegPayload, sampleCall, type SampleCall } from '../../src/core/telecmi/sampleEvents';
import { bin, startCli, type Line } from '../support/cliProcess';
import { loadEvent } from '../support/fixtures';
import { freePort } from '../support/freePort';
import { brokerTestsTitle, requireMosquitto, skipBrokerTests, startMosquitto, type RunningBroker } from '../support/mosquitto';
import { postJson } from '../support/receiverServer';

const run = promisify(execFile);
const cli = async (...args: string[]): Promise<Line> => JSON.parse((await run(process.execPath, [bin, ...args])).stdout) as Line;

/** Two agents of one team, and one of another. */
const ann = { agent: '204_2222223', team: 'Sales_2222223', name: 'Ann Joseph' };
const ravi = { agent: '206_2222223', team: 'Sales_2222223', name: 'Ravi Kumar' };
const bob = { agent: '205_2222223', team: 'Support_2222223', name: 'Bob Das' };
type Agent = typeof ann;

type Running = ReturnType<typeof startCli>;
type Call = Record<string, unknown> & { state: string; id: string };

describe.skipIf(skipBrokerTests)(brokerTestsTitle('a call is a conversation, in team mode: serve -> Mosquitto -> two desktops'), () => {
  let binary = '';
  let root = '';
  let broker: RunningBroker | undefined;
  let webhookUrl = '';
  const joinCodes = new Map<string, string>();
  const processes: Running[] = [];

  beforeAll(() => {
    binary = requireMosquitto();
  });

  afterEach(async () => {
    await Promise.all(processes.splice(0).map((process) => process.stop('SIGKILL')));
    await broker?.stop();
    broker = undefined;
  });

  const dir = (name: string) => join(root, name);
  const track = (process: Running): Running => (processes.push(process), process);
  const desk = (agent: Agent): Running =>
    track(
      startCli(['listen', '--join-code-env', 'JOIN_CODE', '--data-dir', dir(`desk-${agent.agent}`), '--ring-window', '10'], {
        ...process.env,
        JOIN_CODE: joinCodes.get(agent.agent),
      }),
    );

  /** A team whose server runs, with Ann's and Ravi's desktops (Sales) and Bob's (Support) connected. */
  async function team(): Promise<Record<'ann' | 'ravi' | 'bob', Running>> {
    root = mkdtempSync(join(tmpdir(), 'telecmi-conversations-'));
    const ports = [await freePort(), await freePort()];
    await cli('team', 'init', '--dir', dir('team'), '--mqtt-port', String(ports[0]), '--ws-port', String(ports[1]));
    for (const { agent, team: name, name: shown } of [ann, ravi, bob]) {
      const added = await cli('team', 'add-agent', '--dir', dir('team'), '--agent', agent, '--team', name, '--name', shown);
      joinCodes.set(agent, String(added.joinCode));
    }
    broker = await startMosquitto(binary, join(dir('team'), 'mosquitto.conf'), ports);
    const serve = track(startCli(['serve', '--port', '0', '--data-dir', dir('server'), '--team-dir', dir('team')]));
    webhookUrl = String((await serve.waitFor((line) => line.type === 'listening')).webhookUrl);
    const desks = { ann: desk(ann), ravi: desk(ravi), bob: desk(bob) };
    await Promise.all(Object.values(desks).map((each) => each.waitFor((line) => line.type === 'connection' && line.state === 'connected')));
    return desks;
  }

  /** One caller's conversation ringing several agents: each leg, the caller leg, and TeleCMI's clock. */
  function conversation(...agents: Agent[]) {
    const base = sampleCall();
    const legs = new Map(agents.map((agent) => [agent, { ...base, callId: crypto.randomUUID(), user: agent.agent, team: agent.team }]));
    const start = Date.now();
    const leg = (agent: Agent): SampleCall => legs.get(agent) as SampleCall;
    return {
      base,
      idOf: (agent: Agent) => leg(agent).callId,
      ring: (agent: Agent, at = 0) => postJson(webhookUrl, agentLegPayload(leg(agent), 'started', start + at)),
      answer: (agent: Agent, at = 5000) => postJson(webhookUrl, agentLegPayload(leg(agent), 'answered', start + at)),
      hangUp: (agent: Agent, at = 20_000) => postJson(webhookUrl, agentLegPayload(leg(agent), 'hangup', start + at)),
      callerHangsUp: (at = 30_000) => postJson(webhookUrl, callerLegPayload(base, 'hangup', start + at)),
    };
  }

  const kinds = (running: Running) => running.lines.filter((line) => line.type === 'notification').map((line) => line.kind);
  const quiet = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  async function savedCalls(agent: Agent, running: Running): Promise<Call[]> {
    await running.stop('SIGTERM');
    return JSON.parse((await run(process.execPath, [bin, 'calls', '--data-dir', dir(`desk-${agent.agent}`)])).stdout) as Call[];
  }

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
    expect((await postJson(webhookUrl, callBack)).body).toEqual({ ok: true });
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
    await postJson(webhookUrl, agentLegPayload(again, 'started', Date.now()));
    await postJson(webhookUrl, agentLegPayload(again, 'answered', Date.now() + 3000));
    await quiet(1500);
    const [saved] = await savedCalls(ann, desks.ann);
    expect(saved).toMatchObject({ state: 'missed', callBack: { state: 'done', by: bob.agent, how: 'called-again' } });
  });
});

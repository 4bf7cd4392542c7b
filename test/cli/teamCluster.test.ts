import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentLegPayload, sampleCall } from '../../src/core/telecmi/sampleEvents';
import { bin, startCli, type Line } from '../support/cliProcess';
import { ejabberdTestsTitle, skipEjabberdTests, startEjabberdCluster, type EjabberdCluster } from '../support/ejabberd';
import { postJson } from '../support/receiverServer';
import type { Running } from '../support/teamBed';

const run = promisify(execFile);
const alice = { agent: '204_2222223', team: 'Sales_2222223', password: 'alice-password-0123' };
const bob = { agent: '205_2222223', team: 'Support_2222223', password: 'bob-password-0123456' };
const receiver = { username: 'receiver', password: 'receiver-password-0123' };

/** `team code` for an agent whose broker user (named as the agent) the operator made. */
async function joinCode(url: string, who: typeof alice): Promise<string> {
  const args = ['team', 'code', '--broker-url', url, '--agent', who.agent, '--username', who.agent, '--password-env', 'AGENT_PASSWORD'];
  const { stdout } = await run(process.execPath, [bin, ...args, '--team', who.team], {
    env: { ...process.env, AGENT_PASSWORD: who.password },
  });
  const line = JSON.parse(stdout) as { type: string; joinCode: string };
  expect(line.type).toBe('join-code');
  return line.joinCode;
}

describe.skipIf(skipEjabberdTests)(ejabberdTestsTitle('team mode on an operator-run ejabberd cluster of two nodes'), () => {
  let cluster: EjabberdCluster | undefined;
  const processes: Running[] = [];
  const started = (running: Running): Running => (processes.push(running), running);

  beforeAll(async () => {
    cluster = await startEjabberdCluster(
      2,
      [receiver, { username: alice.agent, password: alice.password }, { username: bob.agent, password: bob.password }],
      { [alice.agent]: [alice.team], [bob.agent]: [bob.team] },
    );
  }, 180_000);

  afterAll(async () => {
    await Promise.all(processes.map((running) => running.stop('SIGKILL')));
    await cluster?.stop();
  }, 120_000);

  it('routes each call from the receiver on one node to its agent’s desktop on the other, and to no one else, catching up after sleep', async () => {
    const [first, second] = cluster?.ports as [number, number];
    const serve = started(
      startCli(
        [
          ...['serve', '--port', '0', '--data-dir', mkdtempSync(join(tmpdir(), 'telecmi-cluster-serve-'))],
          ...['--mqtt-url', `mqtt://127.0.0.1:${first}`, '--mqtt-username', receiver.username, '--mqtt-password-env', 'RECEIVER_PASSWORD'],
        ],
        { ...process.env, RECEIVER_PASSWORD: receiver.password },
      ),
    );
    const webhookUrl = String((await serve.waitFor((line) => line.type === 'listening')).webhookUrl);
    await serve.waitFor((line) => line.type === 'broker' && line.state === 'connected');
    const desk = (who: typeof alice, code: string, dataDir = mkdtempSync(join(tmpdir(), 'telecmi-cluster-desk-'))) => ({
      dataDir,
      start: () =>
        started(
          startCli(['listen', '--join-code-env', 'JOIN_CODE', '--data-dir', dataDir, '--ring-window', '30'], {
            ...process.env,
            JOIN_CODE: code,
          }),
        ),
    });
    const url = `mqtt://127.0.0.1:${second}`;
    const aliceDesk = desk(alice, await joinCode(url, alice));
    const bobDesk = desk(bob, await joinCode(url, bob));
    const connected = (running: Running) => running.waitFor((line) => line.type === 'connection' && line.state === 'connected');
    let aliceListen = aliceDesk.start();
    const bobListen = bobDesk.start();
    // Alice's second computer, on a code of its own for the same broker user: both stay in.
    const aliceLaptop = desk(alice, await joinCode(url, alice)).start();
    await Promise.all([connected(aliceListen), connected(bobListen), connected(aliceLaptop)]);
    const rings = (running: Running, callId: string) =>
      running.waitFor((line) => line.type === 'notification' && (line.calls as Array<{ id: string }>).some((call) => call.id === callId));

    const toAlice = sampleCall({ user: alice.agent, team: alice.team });
    expect((await postJson(webhookUrl, agentLegPayload(toAlice, 'started', Date.now()))).status).toBe(200);
    await Promise.all([rings(aliceListen, toAlice.callId), rings(aliceLaptop, toAlice.callId)]);
    const toBob = sampleCall({ user: bob.agent, team: bob.team });
    expect((await postJson(webhookUrl, agentLegPayload(toBob, 'started', Date.now()))).status).toBe(200);
    await rings(bobListen, toBob.callId);
    const notified = (running: Running) =>
      running.lines
        .filter((line: Line) => line.type === 'notification')
        .flatMap((line) => (line.calls as Array<{ id: string }>).map((call) => call.id));
    expect(notified(aliceListen)).toEqual([toAlice.callId]);
    expect(notified(bobListen)).toEqual([toBob.callId]);
    expect(aliceLaptop.lines.filter((line: Line) => line.type === 'connection' && line.state === 'offline')).toEqual([]);

    // Alice's laptop sleeps; a call ends meanwhile; it wakes and catches up from its session on the cluster.
    await aliceListen.stop('SIGTERM');
    const whileAway = sampleCall({ user: alice.agent, team: alice.team });
    for (const status of ['started', 'hangup'] as const) {
      expect((await postJson(webhookUrl, agentLegPayload(whileAway, status, Date.now()))).status).toBe(200);
    }
    aliceListen = aliceDesk.start();
    await rings(aliceListen, whileAway.callId);
  }, 120_000);
});

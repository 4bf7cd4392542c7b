import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeAll } from 'vitest';
import { bin, startCli, type Line } from './cliProcess';
import { freePort } from './freePort';
import { requireMosquitto, startMosquitto, type RunningBroker } from './mosquitto';
import { teamParent } from './teamFolder';

const run = promisify(execFile);

export type Running = ReturnType<typeof startCli>;
export interface TeamAgent {
  agent: string;
  team: string;
  name?: string;
}

/** A CLI command that prints one JSON line. */
export const cliLine = async (...args: string[]): Promise<Line> => JSON.parse((await run(process.execPath, [bin, ...args])).stdout) as Line;

/** The calls a desktop saved, read with `telecmi-notifier calls`. */
export const savedCalls = async (dataDir: string): Promise<Array<Record<string, unknown> & { id: string; state: string }>> =>
  JSON.parse((await run(process.execPath, [bin, 'calls', '--data-dir', dataDir])).stdout) as Array<
    Record<string, unknown> & { id: string; state: string }
  >;

/**
 * A team on this machine for a test: a folder made by `team init` on free loopback ports, its
 * agents, the real Mosquitto, `serve --team-dir` and `listen` desktops; each test's processes and
 * broker are stopped after it. Call inside a `describe`.
 */
export function teamBed() {
  let binary = '';
  let root = '';
  let ports: number[] = [];
  let broker: RunningBroker | undefined;
  let webhookUrl = '';
  const joinCodes = new Map<string, string>();
  const processes: Running[] = [];

  beforeAll(() => {
    binary = requireMosquitto();
  });
  afterEach(async () => {
    await Promise.all(processes.splice(0).map((running) => running.stop('SIGKILL')));
    await broker?.stop();
    broker = undefined;
  });

  const dir = (name: string): string => join(root, name);
  const track = (running: Running): Running => (processes.push(running), running);

  return {
    dir,
    webhookUrl: (): string => webhookUrl,
    broker: (): RunningBroker | undefined => broker,
    ports: (): number[] => ports,
    joinCode: (agent: string): string => joinCodes.get(agent) ?? '',
    track,

    /** A new team folder with these agents, each given a join code; `init` adds options to `team init` (TLS). */
    async setUp(agents: readonly TeamAgent[], ...init: string[]): Promise<void> {
      root = teamParent();
      ports = [await freePort(), await freePort()];
      await cliLine('team', 'init', '--dir', dir('team'), '--mqtt-port', String(ports[0]), '--ws-port', String(ports[1]), ...init);
      for (const { agent, team, name } of agents) {
        const added = await cliLine(
          'team',
          'add-agent',
          '--dir',
          dir('team'),
          '--agent',
          agent,
          '--team',
          team,
          ...(name ? ['--name', name] : []),
        );
        joinCodes.set(agent, String(added.joinCode));
      }
    },

    async startBroker(): Promise<RunningBroker> {
      broker = await startMosquitto(binary, join(dir('team'), 'mosquitto.conf'), ports);
      return broker;
    },

    /** `serve --team-dir`, once it listens. */
    async serve(...extra: string[]): Promise<Running> {
      const serve = track(startCli(['serve', '--port', '0', '--data-dir', dir('server'), '--team-dir', dir('team'), ...extra]));
      webhookUrl = String((await serve.waitFor((line) => line.type === 'listening')).webhookUrl);
      return serve;
    },

    /** An agent's `listen` desktop, with its own data folder (or the one `--data-dir` in `extra` names). */
    listen(agent: string, ringWindowSeconds = 2, ...extra: string[]): Running {
      const args = [
        'listen',
        '--join-code-env',
        'JOIN_CODE',
        '--data-dir',
        dir(`desk-${agent}`),
        '--ring-window',
        String(ringWindowSeconds),
      ];
      return track(startCli([...args, ...extra], { ...process.env, JOIN_CODE: joinCodes.get(agent) }));
    },

    async connected(desktop: Running): Promise<Running> {
      await desktop.waitFor((line) => line.type === 'connection' && line.state === 'connected');
      return desktop;
    },

    /** What an agent's desktop saved, once stopped. */
    async saved(agent: string, desktop: Running) {
      await desktop.stop('SIGTERM');
      return savedCalls(dir(`desk-${agent}`));
    },
  };
}

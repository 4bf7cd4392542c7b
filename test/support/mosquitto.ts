import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { connect } from 'node:net';
import { delimiter, join } from 'node:path';

/** Where Mosquitto is installed: PATH, Debian's sbin, Homebrew, the Windows installer. */
function findMosquitto(): string | undefined {
  const name = process.platform === 'win32' ? 'mosquitto.exe' : 'mosquitto';
  const fromPath = (process.env.PATH ?? '').split(delimiter).map((dir) => join(dir, name));
  const known = [
    '/usr/sbin/mosquitto',
    '/usr/local/sbin/mosquitto',
    '/opt/homebrew/sbin/mosquitto',
    'C:\\Program Files\\mosquitto\\mosquitto.exe',
  ];
  return [...fromPath, ...known].find((path) => existsSync(path));
}

export const mosquittoPath = findMosquitto();

const missing = 'Mosquitto is not installed (Debian: apt install mosquitto; macOS: brew install mosquitto)';

/**
 * Broker tests are skipped without Mosquitto on a developer's machine (`describe.skipIf`), and
 * fail in CI (CI=true), where .ci/run installs it: they call `requireMosquitto` first.
 */
export const skipBrokerTests = !mosquittoPath && !process.env.CI;
export const brokerTestsTitle = (title: string): string => (skipBrokerTests ? `${title} (skipped: ${missing})` : title);

export function requireMosquitto(): string {
  if (!mosquittoPath) throw new Error(`${missing}: CI must run the broker tests`);
  return mosquittoPath;
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1', () => resolve(!!socket.end()));
    socket.on('error', () => resolve(false));
  });
}

export interface RunningBroker {
  child: ChildProcess;
  log: () => string;
  stop: (signal?: NodeJS.Signals) => Promise<void>;
}

/** Starts Mosquitto on a config, waits for all its listeners' ports, and stops it by PID. */
export async function startMosquitto(binary: string, confPath: string, ports: readonly number[]): Promise<RunningBroker> {
  const child = spawn(binary, ['-c', confPath], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr?.on('data', (chunk: Buffer) => (log += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const allOpen = async (): Promise<boolean> => (await Promise.all(ports.map(portOpen))).every(Boolean);
  for (let waited = 0; !(await allOpen()); waited += 50) {
    if (child.exitCode !== null || waited > 10_000) throw new Error(`mosquitto did not start: ${log}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    child,
    log: () => log,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null) child.kill(signal);
      await exited;
    },
  };
}

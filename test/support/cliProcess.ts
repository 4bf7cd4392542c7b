import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';

export const bin = fileURLToPath(new URL('../../bin/telecmi-notifier.js', import.meta.url));

export type Line = Record<string, unknown>;

/** A running CLI command, its stdout read as JSON lines. */
export function startCli(args: string[], env: NodeJS.ProcessEnv = process.env) {
  const child: ChildProcessWithoutNullStreams = spawn(process.execPath, [bin, ...args], { stdio: 'pipe', env });
  const lines: Line[] = [];
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  createInterface({ input: child.stdout }).on('line', (line) => lines.push(JSON.parse(line) as Line));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  /** The first line (from `after` on) that matches, waiting for it. */
  async function waitFor(match: (line: Line) => boolean, { after = 0, timeoutMs = 10_000 } = {}): Promise<Line> {
    for (let waited = 0; ; waited += 25) {
      const found = lines.slice(after).find(match);
      if (found) return found;
      if (child.exitCode !== null) throw new Error(`${args[0]} exited ${child.exitCode}: ${stderr}`);
      if (waited > timeoutMs)
        throw new Error(`no matching line from ${args[0]} in ${timeoutMs} ms; got ${JSON.stringify(lines)}; stderr ${stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }
  return {
    child,
    lines,
    waitFor,
    exited,
    stderr: () => stderr,
    stop: async (signal: NodeJS.Signals = 'SIGTERM') => (child.exitCode === null && child.kill(signal), exited),
  };
}

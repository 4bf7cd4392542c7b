import { execFile, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '../support/freePort';

const bin = fileURLToPath(new URL('../../bin/telecmi-notifier.js', import.meta.url));
const run = promisify(execFile);

/** A running `serve`, read line by line from its stdout. */
function serve(args: string[], env: NodeJS.ProcessEnv = process.env) {
  const child = spawn(process.execPath, [bin, 'serve', '--port', '0', ...args], { stdio: 'pipe', env });
  const lines: unknown[] = [];
  const waiters: Array<() => void> = [];
  let stderr = '';
  let stdout = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  createInterface({ input: child.stdout }).on('line', (line) => {
    lines.push(JSON.parse(line));
    waiters.splice(0).forEach((wake) => wake());
  });
  const nextLine = async (index: number): Promise<Record<string, unknown>> => {
    while (lines.length <= index) {
      if (child.exitCode !== null) throw new Error(`serve exited ${child.exitCode}: ${stderr}`);
      await new Promise<void>((resolve) => waiters.push(resolve));
    }
    return lines[index] as Record<string, unknown>;
  };
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, nextLine, exited, stderr: () => stderr, stdout: () => stdout };
}

describe('telecmi-notifier CLI', () => {
  let child: ChildProcessWithoutNullStreams | undefined;
  afterEach(() => {
    child?.kill('SIGKILL');
  });

  it('serves, shows a simulated call as a JSON line, saves it and stops cleanly on SIGTERM', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'telecmi-cli-'));
    const server = serve(['--data-dir', dataDir, '--user', '204']);
    child = server.child;
    const listening = await server.nextLine(0);
    expect(listening).toMatchObject({ type: 'listening', webhookUrl: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/telecmi\/[\w-]{32}$/) });

    const simulated = await run(process.execPath, [
      bin, 'simulate', '--url', String(listening.webhookUrl), '--status', 'started,hangup', '--from', '+919876543210',
    ]);
    expect(simulated.stdout).toMatch(/POST started .* -> 200 \{"ok":true\}/);

    expect(await server.nextLine(1)).toMatchObject({ type: 'notification', kind: 'ringing', title: 'Incoming call +91 98765 43210' });
    expect(await server.nextLine(2)).toMatchObject({ type: 'notification', kind: 'missed', calls: [{ state: 'missed' }] });
    expect(server.stderr()).toContain('receiver listening');
    expect(server.stderr()).not.toContain(String(listening.webhookUrl).split('/').pop());

    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);

    const { stdout } = await run(process.execPath, [bin, 'calls', '--data-dir', dataDir]);
    expect(JSON.parse(stdout)).toMatchObject([{ state: 'missed', from: { digits: '919876543210' }, agent: '204_2222223' }]);
  });

  it('keeps the generated token for the data folder across restarts', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'telecmi-cli-'));
    const urls: string[] = [];
    for (let round = 0; round < 2; round += 1) {
      const server = serve(['--data-dir', dataDir]);
      child = server.child;
      const { webhookUrl } = await server.nextLine(0);
      urls.push(new URL(String(webhookUrl)).pathname);
      server.child.kill('SIGINT');
      expect(await server.exited).toBe(0);
    }
    expect(urls[1]).toBe(urls[0]);
  });

  it('sends GET events and does not notify agents that are filtered out', async () => {
    const server = serve(['--data-dir', mkdtempSync(join(tmpdir(), 'telecmi-cli-')), '--user', '999', '--token', 'a-token-of-the-users-own-choice']);
    child = server.child;
    const { webhookUrl } = await server.nextLine(0);
    expect(webhookUrl).toMatch(/\/telecmi\/a-token-of-the-users-own-choice$/);
    await run(process.execPath, [bin, 'simulate', '--url', String(webhookUrl), '--method', 'get', '--user', '999_2222223']);
    await run(process.execPath, [bin, 'simulate', '--url', String(webhookUrl), '--user', '204_2222223']);
    expect(await server.nextLine(1)).toMatchObject({ kind: 'ringing', calls: [{ agent: '999_2222223' }] });
  });

  it('refuses invalid options with the schema message and exit code 2', async () => {
    const failed = await run(process.execPath, [bin, 'serve', '--port', '70000']).catch((error: { code: number; stderr: string }) => error);
    expect(failed).toMatchObject({ code: 2, stderr: expect.stringMatching(/must be between 1 and 65535\n\s+→ at port/) });
  });

  it('exits 1 from simulate when the receiver refuses the events', async () => {
    const server = serve(['--data-dir', mkdtempSync(join(tmpdir(), 'telecmi-cli-'))]);
    child = server.child;
    const { webhookUrl } = await server.nextLine(0);
    const failed = await run(process.execPath, [bin, 'simulate', '--url', `${String(webhookUrl)}-wrong`]).catch(
      (error: { code: number; stdout: string }) => error,
    );
    expect(failed).toMatchObject({ code: 1, stdout: expect.stringContaining('-> 401 {"ok":false,"error":"invalid token"}') });
  });

  it('reports a built-in ngrok tunnel that cannot connect, keeps the authtoken secret, and still serves locally', async () => {
    const authtoken = '2xyzSECRETngrokToken_0123456789';
    const server = serve(['--data-dir', mkdtempSync(join(tmpdir(), 'telecmi-cli-')), '--ngrok-authtoken-env', 'MY_NGROK_TOKEN'], {
      ...process.env,
      MY_NGROK_TOKEN: authtoken,
      TELECMI_NGROK_SERVER_ADDR: `127.0.0.1:${await freePort()}`,
    });
    child = server.child;
    const { webhookUrl } = await server.nextLine(0);
    expect(await server.nextLine(1)).toEqual({ type: 'tunnel', state: 'connecting', attempt: 1 });
    expect(await server.nextLine(2)).toMatchObject({ type: 'tunnel', state: 'offline', reason: expect.stringMatching(/failed to connect session/), retryAt: expect.any(Number) });
    await run(process.execPath, [bin, 'simulate', '--url', String(webhookUrl)]);
    expect(await server.nextLine(3)).toMatchObject({ type: 'notification', kind: 'ringing' });
    expect(server.stdout()).not.toContain(authtoken);
    expect(server.stderr()).not.toContain(authtoken);
  });

  it('refuses --ngrok-authtoken-env naming an empty variable', async () => {
    const failed = await run(process.execPath, [bin, 'serve', '--port', '0', '--ngrok-authtoken-env', 'NOT_SET_ANYWHERE']).catch((error: { code: number; stderr: string }) => error);
    expect(failed).toMatchObject({ code: 2, stderr: expect.stringContaining('environment variable NOT_SET_ANYWHERE is empty or not set') });
  });

  it('prints its commands when asked for help', async () => {
    const { stdout } = await run(process.execPath, [bin, '--help']);
    expect(stdout).toMatch(/serve .*\n.*calls .*\n.*simulate/);
  });
});

import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { bin, startCli } from '../support/cliProcess';

const run = promisify(execFile);
type Ran = { code: number; stdout: string; stderr: string };
const cli = (args: string[], env: NodeJS.ProcessEnv = process.env): Promise<Ran> =>
  run(process.execPath, [bin, ...args], { env, timeout: 15_000 }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: Ran) => error,
  );
const lines = (text: string): string[] => text.trim().split('\n');
const dataDir = (): string => mkdtempSync(join(tmpdir(), 'telecmi-newcomer-'));

describe('the CLI as a newcomer meets it', () => {
  const running: Array<ReturnType<typeof startCli>> = [];
  const servers: Server[] = [];
  afterEach(async () => {
    await Promise.all(running.splice(0).map((command) => command.stop('SIGKILL')));
    for (const server of servers.splice(0)) server.close();
  });

  it.each([
    [['serve', '--port', 'abc'], 'telecmi-notifier: --port "abc": must be a number (see telecmi-notifier serve --help)'],
    [['serve', '--user', ''], 'telecmi-notifier: --user "": must not be empty (see telecmi-notifier serve --help)'],
    [['listen'], 'telecmi-notifier: --join-code-env is required (see telecmi-notifier listen --help)'],
    [['serve', '--prot', '8080'], 'telecmi-notifier: unknown option --prot (see telecmi-notifier serve --help)'],
    [['serve', '--port'], 'telecmi-notifier: --port needs a value (see telecmi-notifier serve --help)'],
    [
      ['team', 'init', '--dir', '/tmp/x', '--ws-port', '0'],
      'telecmi-notifier: --ws-port "0": must be at least 1 (see telecmi-notifier team --help)',
    ],
  ])('names the option and what it wants in one line for %j, pointing to --help', async (args, message) => {
    const { code, stderr } = await cli(args);
    expect(code).toBe(2);
    expect(lines(stderr)).toEqual([message]);
  });

  it('says its version', async () => {
    const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
    expect((await cli(['--version'])).stdout).toBe(`${version}\n`);
  });

  it('says once that the port is taken, exits 1, and leaves no lock on the history', async () => {
    const blocker = createServer();
    servers.push(blocker);
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const { port } = blocker.address() as AddressInfo;
    const folder = dataDir();
    const { code, stderr } = await cli(['serve', '--port', String(port), '--data-dir', folder]);
    expect(code).toBe(1);
    expect(lines(stderr)).toEqual([
      `telecmi-notifier: port ${port} is already in use on 127.0.0.1: quit the other program or choose another port`,
    ]);
    expect(existsSync(join(folder, 'calls.db.lock'))).toBe(false);
    expect(existsSync(join(folder, 'calls.db.owner'))).toBe(false);
  });

  it.runIf(process.platform === 'linux')('refuses a data folder that cannot be made (under /proc) at once, in one line', async () => {
    const started = Date.now();
    const { code, stderr } = await cli(['serve', '--port', '0', '--data-dir', '/proc/telecmi-notifier']);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(code).toBe(1);
    expect(lines(stderr)).toEqual([
      expect.stringMatching(/^telecmi-notifier: cannot use the data folder \/proc\/telecmi-notifier: .*--data-dir$/),
    ]);
  });

  it.each([
    ['an empty file', ''],
    ['a file without a phone column', 'Name,Email\nAsha Rao,asha@example.com\n'],
  ])('starts with a warning when --contacts is %s, and shows numbers', async (_what, content) => {
    const folder = dataDir();
    writeFileSync(join(folder, 'export.csv'), content);
    const serve = startCli(['serve', '--port', '0', '--data-dir', folder, '--contacts', join(folder, 'export.csv')]);
    running.push(serve);
    expect(await serve.waitFor((line) => line.type === 'listening')).toBeTruthy();
    expect(serve.stderr()).toMatch(/contacts: .*; callers are shown by number/);
  });

  it.each([
    ['+91-98765-43210', '919876543210'],
    ['9876543210', '919876543210'],
    ['098765 43210', '919876543210'],
    ['+44 20 7946 0000', '442079460000'],
  ])('sends --from %s as TeleCMI writes numbers (%s)', async (from, sent) => {
    const bodies: unknown[] = [];
    const receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        bodies.push(JSON.parse(body));
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
      });
    });
    servers.push(receiver);
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const { port } = receiver.address() as AddressInfo;
    const { code } = await cli(['simulate', '--url', `http://127.0.0.1:${port}/telecmi/token`, '--from', from]);
    expect(code).toBe(0);
    expect(bodies).toEqual([expect.objectContaining({ from: sent })]);
  });

  it('refuses a --from that is not a phone number, in one line', async () => {
    const { code, stderr } = await cli(['simulate', '--url', 'http://127.0.0.1:9/telecmi/token', '--from', 'call me']);
    expect(code).toBe(2);
    expect(lines(stderr)).toEqual(['telecmi-notifier: --from "call me": must be a phone number (see telecmi-notifier simulate --help)']);
  });
});

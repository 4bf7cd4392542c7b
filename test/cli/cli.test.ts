import { execFile, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { loadEvent } from '../support/fixtures';
import { freePort } from '../support/freePort';
import { postJson } from '../support/receiverServer';

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
    expect(listening).toMatchObject({
      type: 'listening',
      webhookUrl: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/telecmi\/[\w-]{32}$/),
    });

    const simulated = await run(process.execPath, [
      bin,
      'simulate',
      '--url',
      String(listening.webhookUrl),
      '--status',
      'started,hangup',
      '--from',
      '+919876543210',
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

  it('names callers from --contacts, and says what the file held', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'telecmi-cli-'));
    writeFileSync(join(dataDir, 'crm.csv'), 'Full Name,Mobile\nAsha Rao,098765 43210\nNo Number,\n');
    const server = serve(['--data-dir', dataDir, '--contacts', join(dataDir, 'crm.csv')]);
    child = server.child;
    const listening = await server.nextLine(0);
    expect(server.stderr()).toContain('contacts: 1 contacts from');
    expect(server.stderr()).toContain('1 skipped: row 3 no phone number');
    await run(process.execPath, [bin, 'simulate', '--url', String(listening.webhookUrl), '--from', '919876543210']);
    expect(await server.nextLine(1)).toMatchObject({
      kind: 'ringing',
      title: 'Asha Rao · +91 98765 43210',
      body: expect.stringMatching(/^first call\n/),
      calls: [{ callerNames: ['Asha Rao'] }],
    });
  });

  it('takes the contacts it read at the last start while the file is unchanged, reads a changed file again, and drops them without the option', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'telecmi-cli-'));
    const book = join(dataDir, 'crm.csv');
    writeFileSync(book, 'Name,Phone\nAsha Rao,098765 43210\n');
    const startWith = async (): Promise<{ stderr: string; title: unknown }> => {
      const server = serve(['--data-dir', dataDir, '--contacts', book]);
      child = server.child;
      const listening = await server.nextLine(0);
      await run(process.execPath, [bin, 'simulate', '--url', String(listening.webhookUrl), '--from', '919876543210']);
      const { title } = await server.nextLine(1);
      server.child.kill('SIGTERM');
      await server.exited;
      return { stderr: server.stderr(), title };
    };
    expect(await startWith()).toMatchObject({ stderr: expect.stringContaining('1 read'), title: 'Asha Rao · +91 98765 43210' });
    const again = await startWith();
    expect(again.stderr).toContain('contacts: 1 contacts from');
    expect(again.stderr).toContain('unchanged since it was last read');
    expect(again.title).toBe('Asha Rao · +91 98765 43210');
    writeFileSync(book, 'Name,Phone\nRavi Kumar,098765 43210\n');
    utimesSync(book, new Date(), new Date(Date.now() + 5000));
    const changed = await startWith();
    expect(changed.stderr).not.toContain('unchanged since it was last read');
    expect(changed.title).toBe('Ravi Kumar · +91 98765 43210');
    // Started without the option, the names kept go with it.
    expect(existsSync(join(dataDir, 'contacts-cache.json'))).toBe(true);
    const without = serve(['--data-dir', dataDir]);
    child = without.child;
    await without.nextLine(0);
    expect(existsSync(join(dataDir, 'contacts-cache.json'))).toBe(false);
  });

  it('starts with a warning when the contacts file holds no contact (a nightly export that came out empty)', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'telecmi-cli-'));
    writeFileSync(join(dataDir, 'empty.csv'), 'Name,Phone\n');
    const server = serve(['--data-dir', dataDir, '--contacts', join(dataDir, 'empty.csv')]);
    child = server.child;
    expect(await server.nextLine(0)).toMatchObject({ type: 'listening' });
    expect(server.stderr()).toContain('contacts: no contact could be read; callers are shown by number');
  });

  it.each([
    [
      ['--contacts', '/nonexistent/contacts.csv'],
      /^telecmi-notifier: --contacts: cannot read \/nonexistent\/contacts.csv: no such file \(see telecmi-notifier serve --help\)$/,
    ],
    [['--default-country', 'XX'], /--default-country: must be a two-letter country code/],
  ])('refuses %j in one line with exit code 2, the history untouched', async (args, message) => {
    const dataDir = mkdtempSync(join(tmpdir(), 'telecmi-cli-'));
    const failed = await run(process.execPath, [bin, 'serve', '--port', '0', '--data-dir', dataDir, ...args]).catch(
      (error: { code: number; stderr: string }) => error,
    );
    expect(failed).toMatchObject({ code: 2 });
    expect((failed as { stderr: string }).stderr.trim()).toMatch(message);
    expect((failed as { stderr: string }).stderr.trim().split('\n')).toHaveLength(1);
    expect(readdirSync(dataDir).filter((name) => name.startsWith('calls.db'))).toEqual([]);
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
    const server = serve([
      '--data-dir',
      mkdtempSync(join(tmpdir(), 'telecmi-cli-')),
      '--user',
      '999',
      '--token',
      'a-token-of-the-users-own-choice',
    ]);
    child = server.child;
    const { webhookUrl } = await server.nextLine(0);
    expect(webhookUrl).toMatch(/\/telecmi\/a-token-of-the-users-own-choice$/);
    await run(process.execPath, [bin, 'simulate', '--url', String(webhookUrl), '--method', 'get', '--user', '999_2222223']);
    await run(process.execPath, [bin, 'simulate', '--url', String(webhookUrl), '--user', '204_2222223']);
    expect(await server.nextLine(1)).toMatchObject({ kind: 'ringing', calls: [{ agent: '999_2222223' }] });
  });

  it('tells 204 "Answered by 205" when a colleague answers their ring-all, and keeps the call so; a call missed by everyone is to call back', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'telecmi-cli-'));
    const server = serve(['--data-dir', dataDir, '--user', '204']);
    child = server.child;
    const { webhookUrl } = await server.nextLine(0);
    const leg = (user: string, cmiuuid: string, status: string, conversation_uuid = 'ring-all') => ({
      ...loadEvent('leg-b-started'),
      user,
      cmiuuid,
      conversation_uuid,
      status,
    });
    for (const payload of [
      leg('204_2222223', 'ann', 'started'),
      leg('205_2222223', 'ravi', 'started'),
      leg('205_2222223', 'ravi', 'answered'),
      leg('204_2222223', 'ann', 'hangup'),
    ])
      expect((await postJson(String(webhookUrl), payload)).status).toBe(200);
    expect(await server.nextLine(1)).toMatchObject({ kind: 'ringing', calls: [{ id: 'ann' }] });
    expect(await server.nextLine(2)).toMatchObject({
      kind: 'answered-elsewhere',
      title: 'Answered by 205',
      calls: [{ id: 'ann', state: 'answered-elsewhere', answeredBy: '205_2222223' }],
    });
    for (const payload of [
      leg('204_2222223', 'nobody', 'started', 'missed-by-all'),
      leg('204_2222223', 'nobody', 'hangup', 'missed-by-all'),
      { ...loadEvent('leg-a-waiting'), cmiuuid: 'missed-by-all', conversation_uuid: 'missed-by-all', status: 'hangup' },
    ])
      await postJson(String(webhookUrl), payload);
    expect(await server.nextLine(4)).toMatchObject({
      kind: 'missed',
      calls: [{ id: 'nobody', state: 'missed', callBack: { state: 'pending' } }],
    });
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    const saved = JSON.parse((await run(process.execPath, [bin, 'calls', '--data-dir', dataDir])).stdout) as Array<Record<string, unknown>>;
    expect(saved).toMatchObject([
      { id: 'nobody', state: 'missed', callBack: { state: 'pending' } },
      { id: 'ann', state: 'answered-elsewhere', answeredBy: '205_2222223' },
    ]);
  });

  it('refuses invalid options with the schema message and exit code 2', async () => {
    const failed = await run(process.execPath, [bin, 'serve', '--port', '70000']).catch((error: { code: number; stderr: string }) => error);
    expect(failed).toMatchObject({ code: 2, stderr: expect.stringMatching(/--port "70000": must be between 1 and 65535/) });
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
    expect(await server.nextLine(2)).toMatchObject({
      type: 'tunnel',
      state: 'offline',
      reason: expect.stringMatching(/failed to connect session/),
      retryAt: expect.any(Number),
    });
    await run(process.execPath, [bin, 'simulate', '--url', String(webhookUrl)]);
    // The tunnel keeps retrying meanwhile: its lines may come first.
    let index = 3;
    while ((await server.nextLine(index)).type === 'tunnel') index += 1;
    expect(await server.nextLine(index)).toMatchObject({ type: 'notification', kind: 'ringing' });
    expect(server.stdout()).not.toContain(authtoken);
    expect(server.stderr()).not.toContain(authtoken);
  });

  it('stops cleanly on Ctrl+C that comes while it is still starting (its tunnel connecting)', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'telecmi-cli-'));
    const server = serve(['--data-dir', dataDir, '--ngrok-authtoken-env', 'MY_NGROK_TOKEN'], {
      ...process.env,
      MY_NGROK_TOKEN: '2abcdefghijklmnopqrstuvwxyz_0123456789ABCDEFGHIJK',
      TELECMI_NGROK_SERVER_ADDR: `127.0.0.1:${await freePort()}`,
    });
    child = server.child;
    await server.nextLine(0);
    expect(await server.nextLine(1)).toEqual({ type: 'tunnel', state: 'connecting', attempt: 1 });
    server.child.kill('SIGINT');
    expect(await server.exited).toBe(0);
    expect(server.stderr()).toMatch(/stopped; history saved/);
  });

  it('refuses --ngrok-authtoken-env naming an empty variable', async () => {
    const failed = await run(process.execPath, [bin, 'serve', '--port', '0', '--ngrok-authtoken-env', 'NOT_SET_ANYWHERE']).catch(
      (error: { code: number; stderr: string }) => error,
    );
    expect(failed).toMatchObject({ code: 2, stderr: expect.stringContaining('environment variable NOT_SET_ANYWHERE is empty or not set') });
  });

  it('prints its commands when asked for help', async () => {
    const { stdout } = await run(process.execPath, [bin, '--help']);
    expect(stdout).toMatch(/serve .*\n.*calls .*\n.*simulate/);
  });

  describe('bad environments, and nothing acknowledged lost', () => {
    const newDataDir = () => mkdtempSync(join(tmpdir(), 'telecmi-cli-'));
    const failure = (args: string[], env: NodeJS.ProcessEnv = process.env) =>
      run(process.execPath, [bin, ...args], { env }).then(
        () => ({ code: 0, stderr: '' }),
        (error: { code: number; stderr: string }) => error,
      );
    /** One line naming the problem, no stack. */
    const oneLine = (stderr: string) => stderr.trim().split('\n');

    it('says in one line that the data folder is a file', async () => {
      const file = join(newDataDir(), 'a-file');
      writeFileSync(file, 'not a folder');
      const { code, stderr } = await failure(['serve', '--port', '0', '--data-dir', file]);
      expect(code).toBe(1);
      expect(oneLine(stderr)).toEqual([`telecmi-notifier: the data folder ${file} is a file, not a folder: choose another --data-dir`]);
    });

    it('says in one line that settings.json is a folder, when no token is given', async () => {
      const dataDir = newDataDir();
      mkdirSync(join(dataDir, 'settings.json'));
      const { code, stderr } = await failure(['serve', '--port', '0', '--data-dir', dataDir]);
      expect(code).toBe(1);
      expect(oneLine(stderr)).toEqual([
        expect.stringMatching(
          /^telecmi-notifier: cannot keep the webhook token in .*settings\.json: a folder stands where a file should be/,
        ),
      ]);
    });

    it('keeps a corrupt settings.json aside, and an invalid saved token, and says the URL changed', async () => {
      const dataDir = newDataDir();
      writeFileSync(join(dataDir, 'settings.json'), '{"token": ');
      let server = serve(['--data-dir', dataDir]);
      child = server.child;
      await server.nextLine(0);
      server.child.kill('SIGTERM');
      expect(await server.exited).toBe(0);
      expect(server.stderr()).toMatch(/a file could not be read fully; a copy was kept/);
      writeFileSync(join(dataDir, 'settings.json'), JSON.stringify({ token: 'short' }));
      server = serve(['--data-dir', dataDir]);
      child = server.child;
      await server.nextLine(0);
      server.child.kill('SIGTERM');
      await server.exited;
      expect(server.stderr()).toMatch(/the saved webhook token was not valid and is replaced: give TeleCMI the new webhook URL/);
      const asides = readdirSync(dataDir).filter((name) => name.startsWith('settings.json.corrupt-'));
      expect(asides.map((name) => readFileSync(join(dataDir, name), 'utf8')).sort()).toEqual(
        ['{"token": ', JSON.stringify({ token: 'short' })].sort(),
      );
    });

    it.skipIf(process.platform === 'win32')(
      'keeps the data folder and its files readable by their user only, tightening old ones',
      async () => {
        const dataDir = newDataDir();
        chmodSync(dataDir, 0o755);
        writeFileSync(join(dataDir, 'old-export.json'), '[]', { mode: 0o644 });
        const server = serve(['--data-dir', dataDir]);
        child = server.child;
        const { webhookUrl } = await server.nextLine(0);
        await run(process.execPath, [bin, 'simulate', '--url', String(webhookUrl)]);
        server.child.kill('SIGTERM');
        await server.exited;
        const mode = (name: string) => statSync(join(dataDir, name)).mode & 0o777;
        expect(mode('.')).toBe(0o700);
        expect(readdirSync(dataDir).map((name) => [name, mode(name)])).toEqual(readdirSync(dataDir).map((name) => [name, 0o600]));
        expect(readdirSync(dataDir)).toEqual(expect.arrayContaining(['settings.json', 'calls.db']));
      },
    );

    it('takes the token from an environment variable, keeping it out of the process list', async () => {
      const token = 'a-token-from-the-environment-0123';
      const server = serve(['--data-dir', newDataDir(), '--token-env', 'MY_WEBHOOK_TOKEN'], { ...process.env, MY_WEBHOOK_TOKEN: token });
      child = server.child;
      const { webhookUrl } = await server.nextLine(0);
      expect(webhookUrl).toMatch(new RegExp(`/telecmi/${token}$`));
      if (process.platform === 'linux') expect(readFileSync(`/proc/${server.child.pid}/cmdline`, 'utf8')).not.toContain(token);
      const { stdout } = await run(process.execPath, [bin, 'serve', '--help']);
      expect(stdout).toMatch(/--token T .*visible to every local user in the process list/);
    });

    // /dev/full refuses every write with "no space left", even to root: where it exists, the disk can fill up on cue.
    it.runIf(existsSync('/dev/full'))('reports a history it cannot save, keeps answering at once, and exits 1 saying so', async () => {
      const dataDir = newDataDir();
      let server = serve(['--data-dir', dataDir]);
      child = server.child;
      await server.nextLine(0);
      server.child.kill('SIGTERM');
      expect(await server.exited).toBe(0);
      symlinkSync('/dev/full', join(dataDir, 'calls.db-wal'));
      server = serve(['--data-dir', dataDir]);
      child = server.child;
      const { webhookUrl } = await server.nextLine(0);
      await run(process.execPath, [bin, 'simulate', '--url', String(webhookUrl), '--count', '2']);
      await expect.poll(() => server.stderr(), { timeout: 5000 }).toMatch(/the call history could not be saved; will retry/);
      const started = performance.now();
      await run(process.execPath, [bin, 'simulate', '--url', String(webhookUrl)]);
      expect(performance.now() - started).toBeLessThan(1500);
      server.child.kill('SIGTERM');
      expect(await server.exited).toBe(1);
      expect(server.stderr()).toMatch(/stopped; the call history could NOT be saved/);
      expect(server.stderr()).not.toMatch(/history saved/);
    });

    it('loses nothing it acknowledged more than a second before a kill -9, and knows a redelivery after the restart', async () => {
      const dataDir = newDataDir();
      let server = serve(['--data-dir', dataDir]);
      child = server.child;
      const { webhookUrl } = await server.nextLine(0);
      const event = { ...loadEvent('leg-b-started'), cmiuuid: 'before-the-kill' };
      expect((await postJson(String(webhookUrl), event)).body).toEqual({ ok: true });
      await new Promise((resolve) => setTimeout(resolve, 1000));
      server.child.kill('SIGKILL');
      await server.exited;
      const { stdout } = await run(process.execPath, [bin, 'calls', '--data-dir', dataDir]);
      expect((JSON.parse(stdout) as Array<{ id: string }>).map((call) => call.id)).toEqual(['before-the-kill']);
      server = serve(['--data-dir', dataDir]);
      child = server.child;
      const restarted = await server.nextLine(0);
      expect((await postJson(String(restarted.webhookUrl), event)).body).toEqual({ ok: true, duplicate: true });
    });

    it('only reads in "calls": a missing folder or a damaged history is reported and left as it is', async () => {
      const missing = join(newDataDir(), 'nothing-here');
      const absent = await failure(['calls', '--data-dir', missing]);
      expect(absent.code).toBe(1);
      expect(oneLine(absent.stderr)).toEqual([`telecmi-notifier: there is no data folder at ${missing}`]);
      expect(existsSync(missing)).toBe(false);
      const dataDir = newDataDir();
      writeFileSync(join(dataDir, 'calls.db'), 'damaged '.repeat(100));
      const damaged = await failure(['calls', '--data-dir', dataDir]);
      expect(damaged.code).toBe(1);
      expect(oneLine(damaged.stderr)).toEqual([expect.stringMatching(/calls\.db cannot be read as a call history/)]);
      expect(readdirSync(dataDir)).toEqual(['calls.db']);
    });
  });
});

import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadEvent } from '../support/fixtures';
import { postJson } from '../support/receiverServer';
import { startApp, ourPage } from './appHarness';
import { FakeBrowserWindow, FakeNotification } from './fakeElectron';

type App = Awaited<ReturnType<typeof startApp>>;

describe('the Electron app on a fake Electron', () => {
  let running: App | undefined;
  let blocker: Server | undefined;
  afterEach(async () => {
    await running?.app.stop();
    blocker?.close();
    running = blocker = undefined;
  });

  const start = async (...args: Parameters<typeof startApp>) => (running = await startApp(...args));

  describe('tray', () => {
    it('shows every action in its menu while listening', async () => {
      const { tray } = await start();
      expect(tray.labels()).toEqual([
        'Open recent calls',
        '---',
        'Pause notifications',
        '  For 1 hour',
        '  Until tomorrow',
        '  Resume (disabled)',
        'Copy webhook URL',
        'Send test call',
        'Check connection…',
        '---',
        'Start at login [ ]',
        'Settings…',
        'Open logs folder',
        '---',
        'Quit TeleCMI Notifier',
      ]);
      expect(tray.image).toBe('/assets/tray/listening.png');
      expect(tray.tooltip).toMatch(/^TeleCMI Notifier\nListening on http:\/\/127\.0\.0\.1:\d+\/telecmi\/…$/);
    });

    it('counts unread calls in the menu and the icon, and on macOS in the badge', async () => {
      const { tray, webhookUrl, fake } = await start({}, { platform: 'darwin' });
      await postJson(webhookUrl(), loadEvent('leg-b-started'));
      tray.rightClick();
      expect(tray.labels()[0]).toBe('Open recent calls (1 unread)');
      expect(tray.image).toBe('/assets/tray/unread.png');
      expect(tray.title).toBe('1');
      expect(fake.calls.badge.at(-1)).toBe('1');
    });

    it('copies the full webhook URL, token included, from the menu', async () => {
      const { tray, fake, webhookUrl } = await start();
      tray.clickItem('Copy webhook URL');
      expect(fake.calls.clipboard).toEqual([webhookUrl()]);
      expect(tray.tooltip).not.toContain(new URL(webhookUrl()).pathname);
    });

    it('turns start at login on and off from its checkbox', async () => {
      const { tray, loginItems } = await start();
      tray.clickItem('Start at login');
      expect(tray.labels()).toContain('Start at login [x]');
      tray.clickItem('Start at login');
      expect(loginItems).toEqual([true, false]);
    });

    it('opens the logs folder and quits from the menu', async () => {
      const { tray, fake } = await start();
      tray.clickItem('Open logs folder');
      tray.clickItem('Quit TeleCMI Notifier');
      expect(fake.calls.openPath).toEqual(['/logs']);
      expect(fake.calls.quit).toBe(1);
    });
  });

  describe('notifications', () => {
    it('shows a ringing call with the caller, agent, team and custom fields, with sound', async () => {
      const { webhookUrl } = await start();
      await postJson(webhookUrl(), loadEvent('leg-b-started'));
      expect(FakeNotification.instances).toHaveLength(1);
      const [toast] = FakeNotification.instances;
      expect(toast?.options).toMatchObject({
        title: expect.stringMatching(/^Incoming call \+44/),
        body: 'first call\nAgent 204_2222223 · Team Sales_2222223\ncrm: true',
        silent: false,
        icon: '/assets/notification.png',
      });
      expect(toast?.shown).toBe(true);
    });

    it('keeps webhook text as text on Linux, where notification bodies are markup', async () => {
      const bodies: unknown[] = [];
      for (const platform of ['linux', 'darwin'] as const) {
        const { webhookUrl, app } = await startApp({}, { platform });
        await postJson(webhookUrl(), {
          ...loadEvent('leg-b-started'),
          custom: '{"note": "<a href=\\"https://evil.example\\">Pay</a> & <b>now</b>"}',
        });
        bodies.push(FakeNotification.instances[0]?.options.body);
        await app.stop();
      }
      const [linux, mac] = bodies.map((body) => ({ options: { body: String(body) } }));
      expect(linux?.options.body).toContain('note: &lt;a href="https://evil.example"&gt;Pay&lt;/a&gt; &amp; &lt;b&gt;now&lt;/b&gt;');
      expect(mac?.options.body).toContain('note: <a href="https://evil.example">Pay</a> & <b>now</b>');
    });

    it('is silent when the sound is switched off', async () => {
      const { webhookUrl } = await start({ notificationSound: false });
      await postJson(webhookUrl(), loadEvent('leg-b-started'));
      expect(FakeNotification.instances[0]?.options.silent).toBe(true);
    });

    it('offers the CRM link as a notification button when a template is set', async () => {
      const { webhookUrl, fake } = await start({ crmUrlTemplate: 'https://crm.example.com/search?phone={from}' });
      await postJson(webhookUrl(), loadEvent('leg-b-started'));
      const [toast] = FakeNotification.instances;
      expect(toast?.options.actions).toEqual([{ type: 'button', text: 'Open in CRM' }]);
      toast?.emit('action', {}, 0);
      expect(fake.calls.openExternal).toEqual(['https://crm.example.com/search?phone=440000000000']);
    });

    it('opens the window on the call when clicked', async () => {
      const { webhookUrl, window, pushes } = await start();
      await postJson(webhookUrl(), loadEvent('leg-b-started'));
      FakeNotification.instances[0]?.click();
      expect(window.visible).toBe(true);
      expect(pushes('window:show')).toEqual([{ view: 'calls', callId: 'f4c65be7-4b4d-4d38-8aa9-4392fab50bd8' }]);
    });

    it('replaces the ringing toast with a missed-call one', async () => {
      const { webhookUrl } = await start();
      await postJson(webhookUrl(), loadEvent('leg-b-started'));
      await postJson(webhookUrl(), loadEvent('leg-b-hangup'));
      // Missed once the caller gives up (nobody else answered), after a brief wait for a late answer.
      await postJson(webhookUrl(), { ...loadEvent('leg-a-waiting'), status: 'hangup' });
      await expect.poll(() => FakeNotification.instances.length, { timeout: 4000 }).toBe(2);
      const [ringing, missed] = FakeNotification.instances;
      expect(ringing?.closed).toBe(true);
      expect(missed?.options.title).toMatch(/^Missed call \+44/);
    });

    it('keeps calls but shows nothing while paused, and says so in the tray', async () => {
      const { webhookUrl, tray, app } = await start();
      tray.clickItem('For 1 hour');
      await postJson(webhookUrl(), loadEvent('leg-b-started'));
      expect(FakeNotification.instances).toHaveLength(0);
      expect(await app.host.history.list()).toHaveLength(1);
      expect(tray.image).toBe('/assets/tray/paused.png');
      expect(tray.labels()).toContain('  Resume');
      tray.clickItem('Resume');
      await postJson(webhookUrl(), loadEvent('leg-b-answered'));
      await postJson(webhookUrl(), { ...loadEvent('leg-b-started'), cmiuuid: 'after-resume', conversation_uuid: 'after-resume' });
      expect(FakeNotification.instances).toHaveLength(1);
    });

    it('sends a test call through its own receiver as the first agent set', async () => {
      const { invoke } = await start({ agents: ['205'] });
      expect(await invoke('app:send-test-call')).toEqual({ ok: true, message: 'Test call sent: a notification should appear.' });
      expect(FakeNotification.instances[0]?.options.body).toMatch(/^first call\nAgent 205 · Team Sales_2222223\nsource: test call/);
    });
  });

  describe('a call is a conversation', () => {
    const leg = (agent: string, cmiuuid: string, status: string) => ({ ...loadEvent('leg-b-started'), user: agent, cmiuuid, status });

    it('replaces the ringing toast with a silent "Answered by" when a colleague answers, named in Settings', async () => {
      const { webhookUrl } = await start({ agents: ['204'], agentNames: { '205': 'Ravi Kumar' } });
      await postJson(webhookUrl(), leg('204_2222223', 'mine', 'started'));
      await postJson(webhookUrl(), leg('205_2222223', 'theirs', 'started'));
      await postJson(webhookUrl(), leg('205_2222223', 'theirs', 'answered'));
      await postJson(webhookUrl(), leg('204_2222223', 'mine', 'hangup'));
      await expect.poll(() => FakeNotification.instances.length).toBe(2);
      const [ringing, answered] = FakeNotification.instances;
      expect(ringing?.closed).toBe(true);
      expect(answered?.options).toMatchObject({ title: 'Answered by Ravi Kumar', silent: true });
      await new Promise((resolve) => setTimeout(resolve, 1600));
      expect(FakeNotification.instances).toHaveLength(2);
    });

    it('says "N to call back" in the tray, opens that list, and clears it when marked done from the window', async () => {
      const { webhookUrl, tray, invoke, app, pushes } = await start({ agents: ['204'] });
      await postJson(webhookUrl(), leg('204_2222223', 'mine', 'started'));
      await postJson(webhookUrl(), leg('204_2222223', 'mine', 'hangup'));
      await postJson(webhookUrl(), { ...loadEvent('leg-a-waiting'), status: 'hangup' });
      expect(app.status().toCallBack).toBe(1);
      expect(tray.labels().slice(0, 2)).toEqual(['Open recent calls (1 unread)', '1 to call back']);
      tray.clickItem('1 to call back');
      expect(pushes('window:show').at(-1)).toEqual({ view: 'call-back' });
      expect(await invoke('calls:mark-called-back', ['mine'])).toBe(1);
      expect(app.status().toCallBack).toBe(0);
      expect(tray.labels()).not.toContain('1 to call back');
    });
  });

  describe('who is calling', () => {
    const contactsFile = (text: string, name = 'crm.csv'): string => {
      const file = join(mkdtempSync(join(tmpdir(), 'telecmi-import-')), name);
      writeFileSync(file, text);
      return file;
    };

    it('imports contacts through the file dialog, then names the caller in the popup and the status', async () => {
      const { fake, invoke, webhookUrl, app } = await start();
      fake.dialogs.open = { canceled: false, filePaths: [contactsFile('Name,Phone\nAsha Rao,098765 43210\nNobody,\n')] };
      expect(await invoke('contacts:import')).toEqual({
        ok: true,
        report: { source: 'crm.csv', read: 2, imported: 1, skipped: [{ where: 'row 3', reason: 'no phone number' }], skippedCount: 1 },
      });
      expect(app.status().contacts).toMatchObject({ count: 1, source: 'crm.csv' });
      await postJson(webhookUrl(), { ...loadEvent('leg-b-started'), from: '919876543210' });
      expect(FakeNotification.instances[0]?.options.title).toBe('Asha Rao · +91 98765 43210');
      expect(await invoke('contacts:clear')).toEqual({ ok: true, message: 'Contacts cleared: callers are shown by number.' });
      expect(app.status().contacts).toBeNull();
    });

    it('says why nothing was imported, and keeps the contacts it had', async () => {
      const { fake, invoke, app } = await start();
      fake.dialogs.open = { canceled: false, filePaths: [contactsFile('Name,Phone\nA,+44 0000 000000\n')] };
      await invoke('contacts:import');
      fake.dialogs.open = { canceled: false, filePaths: [contactsFile('Name,Email\nA,a@example.com\n')] };
      expect(await invoke('contacts:import')).toEqual({
        ok: false,
        message: 'Nothing imported: no phone column among "Name", "Email": name one Phone, Mobile or Number',
      });
      fake.dialogs.open = { canceled: true, filePaths: [] };
      expect(await invoke('contacts:import')).toEqual({ ok: false, message: 'Import cancelled.' });
      expect(app.status().contacts?.count).toBe(1);
    });

    it('keeps the window open while its file dialog is, where a blur would hide it', async () => {
      const { fake, window, invoke, app } = await start({}, { platform: 'win32' });
      app.trayWindow.showNear();
      fake.dialogs.whileOpen = () => window.blur();
      await invoke('contacts:import');
      expect(window.isVisible()).toBe(true);
      window.blur();
      expect(window.isVisible()).toBe(false);
    });

    it('opens the CRM record by itself when a call rings, once, with the screen pop on', async () => {
      const { fake, webhookUrl } = await start({ screenPop: 'ring', crmUrlTemplate: 'https://crm.example.com/search?phone={from}' });
      await postJson(webhookUrl(), loadEvent('leg-b-started'));
      await postJson(webhookUrl(), loadEvent('leg-b-answered'));
      expect(fake.calls.openExternal).toEqual(['https://crm.example.com/search?phone=440000000000']);
    });

    it('opens nothing by itself while paused, or with the screen pop off (the default)', async () => {
      const paused = await start({
        screenPop: 'answer',
        crmUrlTemplate: 'https://crm.example.com/search?phone={from}',
        pausedUntil: Date.now() + 3600_000,
      });
      await postJson(paused.webhookUrl(), loadEvent('leg-b-started'));
      await postJson(paused.webhookUrl(), loadEvent('leg-b-answered'));
      expect(paused.fake.calls.openExternal).toEqual([]);
      await paused.app.stop();
      const off = await start({ crmUrlTemplate: 'https://crm.example.com/search?phone={from}' });
      await postJson(off.webhookUrl(), loadEvent('leg-b-started'));
      await postJson(off.webhookUrl(), loadEvent('leg-b-answered'));
      expect(off.fake.calls.openExternal).toEqual([]);
    });
  });

  describe('IPC', () => {
    it('answers our window with data of the contract', async () => {
      const { invoke, webhookUrl } = await start();
      await postJson(webhookUrl(), loadEvent('leg-b-started'));
      expect(await invoke('calls:list')).toMatchObject([{ id: 'f4c65be7-4b4d-4d38-8aa9-4392fab50bd8', state: 'ringing' }]);
      expect(await invoke('status:get')).toMatchObject({ receiver: { state: 'listening' }, unread: 1, pausedUntil: null });
      await invoke('calls:mark-all-read');
      expect(await invoke('status:get')).toMatchObject({ unread: 0 });
    });

    it('refuses a sender that is not our window', async () => {
      const { fake, window, log } = await start();
      await expect(fake.invoke('calls:list', { id: 999, url: ourPage })).rejects.toThrow('refused: not the TeleCMI Notifier window');
      await expect(fake.invoke('calls:list', { id: window.webContents.id, url: 'https://evil.example/' })).rejects.toThrow('refused');
      await expect(fake.invoke('calls:list', { id: window.webContents.id, url: ourPage, top: false })).rejects.toThrow('refused');
      expect(log.lines.filter((line) => line.message.startsWith('IPC refused'))).toHaveLength(3);
    });

    it('refuses arguments the contract does not accept', async () => {
      const { invoke } = await start();
      await expect(invoke('calls:mark-read', 'not-a-list')).rejects.toThrow(/invalid arguments for calls:mark-read/);
      await expect(invoke('calls:open-crm')).rejects.toThrow(/invalid arguments/);
    });

    it('pushes new calls and status changes to the window', async () => {
      const { webhookUrl, pushes } = await start();
      await postJson(webhookUrl(), loadEvent('leg-b-started'));
      expect(pushes('calls:changed')).toMatchObject([{ type: 'upserted', call: { state: 'ringing' } }]);
      expect(pushes('status:changed').at(-1)).toMatchObject({ unread: 1 });
      expect(pushes('request-log:added').at(-1)).toMatchObject({ status: 200, path: '/telecmi/***' });
    });

    it('opens the CRM link of a call in the browser, the number URL-encoded', async () => {
      const { invoke, webhookUrl, fake } = await start({ crmUrlTemplate: 'https://crm.example.com/search?phone={from}' });
      await postJson(webhookUrl(), loadEvent('leg-b-started'));
      expect(await invoke('calls:open-crm', 'f4c65be7-4b4d-4d38-8aa9-4392fab50bd8')).toMatchObject({ ok: true });
      expect(fake.calls.openExternal).toEqual(['https://crm.example.com/search?phone=440000000000']);
    });
  });

  describe('settings', () => {
    it('refuses an invalid port with the schema message and keeps listening', async () => {
      const { invoke, store, app } = await start();
      const answer = await invoke('settings:update', { ...store.get(), port: 70000 });
      expect(answer).toEqual({ ok: false, issues: [{ path: 'port', message: 'must be between 1 and 65535' }] });
      expect(app.receiver.status().state).toBe('listening');
    });

    it('restarts the receiver on a new port, and reports a port in use in the tray', async () => {
      const { invoke, store, tray, app, pushes } = await start();
      blocker = createServer();
      await new Promise<void>((resolve) => blocker?.listen(0, '127.0.0.1', resolve));
      const busy = (blocker.address() as { port: number }).port;
      await invoke('settings:update', { ...store.get(), port: busy });
      await expect.poll(() => app.receiver.status().state).toBe('error');
      expect(tray.image).toBe('/assets/tray/error.png');
      expect(tray.tooltip).toContain(`Not receiving calls: port ${busy} is already in use on 127.0.0.1`);
      expect(pushes('status:changed').at(-1)).toMatchObject({ receiver: { state: 'error' } });
      blocker.close();
      await new Promise((resolve) => setTimeout(resolve, 50));
      await invoke('settings:update', { ...store.get(), port: busy });
      await expect.poll(() => app.receiver.status()).toMatchObject({ state: 'listening', origin: `http://127.0.0.1:${busy}` });
    });

    it('lays what the window saves over the current settings, keeping a pause set from the tray', async () => {
      const { invoke, tray, store, pushes } = await start();
      tray.clickItem('For 1 hour');
      const pausedUntil = store.get().pausedUntil;
      expect(pushes('settings:changed').at(-1)).toMatchObject({ pausedUntil });
      expect(await invoke('settings:update', { agents: ['204'] })).toMatchObject({ ok: true, settings: { agents: ['204'], pausedUntil } });
      expect(store.get().pausedUntil).toBe(pausedUntil);
    });

    it('regenerates the token and listens on the new URL at once', async () => {
      const { invoke, webhookUrl, written } = await start();
      const before = webhookUrl();
      const settings = (await invoke('settings:regenerate-token')) as { token: string };
      await expect.poll(() => webhookUrl()).toMatch(new RegExp(`/telecmi/${settings.token}$`));
      expect(webhookUrl()).not.toBe(before);
      expect(written.at(-1)?.token).toBe(settings.token);
      expect((await postJson(before, loadEvent('leg-b-started'))).status).toBe(401);
    });
  });

  describe('built-in tunnel', () => {
    const authtoken = '2xyzNGROKauthtoken_abcdefghijklmnop';

    it('opens ngrok to the receiver once an authtoken is saved, and offers the public URL', async () => {
      const { tunnel, invoke, app, tray, fake, webhookUrl } = await start({ tunnelMode: 'ngrok' });
      expect(tunnel.opened).toHaveLength(0);
      expect(await invoke('tunnel:set-authtoken', authtoken)).toEqual({ ok: true, message: 'ngrok authtoken saved.' });
      expect(tunnel.last()?.target).toEqual({ localPort: Number(new URL(webhookUrl()).port), authtoken });
      const status = app.status();
      expect(status).toMatchObject({ tunnel: { state: 'online', url: tunnel.last()?.url }, ngrokAuthtokenSaved: true });
      expect(status.publicWebhookUrl).toBe(`${tunnel.last()?.url}${new URL(webhookUrl()).pathname}`);
      expect(tray.tooltip).toContain(`Tunnel online: ${tunnel.last()?.url}`);
      tray.clickItem('Copy webhook URL');
      expect(fake.calls.clipboard).toEqual([status.publicWebhookUrl]);
    });

    it('keeps the authtoken encrypted and out of every answer to the window', async () => {
      const { invoke, secretFile, pushes, log } = await start({ tunnelMode: 'ngrok' });
      await invoke('tunnel:set-authtoken', authtoken);
      expect(JSON.stringify([...secretFile.values()])).not.toContain(authtoken);
      const answers = [await invoke('settings:get'), await invoke('status:get'), pushes('status:changed'), log.lines];
      expect(JSON.stringify(answers)).not.toContain(authtoken);
      expect(JSON.stringify(answers)).not.toContain('NGROK');
    });

    it('refuses a value too short to be an authtoken', async () => {
      const { invoke } = await start({ tunnelMode: 'ngrok' });
      await expect(invoke('tunnel:set-authtoken', 'abc')).rejects.toThrow(/paste the whole ngrok authtoken/);
    });

    it('shows a tunnel that cannot connect as an error in the tray and the window, and retries', async () => {
      const { tray, app, pushes } = await start(
        { tunnelMode: 'ngrok' },
        { authtoken, tunnelFailures: ['authentication failed: bad authtoken'] },
      );
      expect(app.status().tunnel).toMatchObject({
        state: 'offline',
        reason: 'authentication failed: bad authtoken',
        retryAt: expect.any(Number),
      });
      expect(tray.image).toBe('/assets/tray/error.png');
      expect(tray.tooltip).toContain('Tunnel offline: authentication failed: bad authtoken');
      expect(pushes('status:changed').at(-1)).toMatchObject({ tunnel: { state: 'offline' } });
      await expect.poll(() => app.status().tunnel.state, { timeout: 3000 }).toBe('online');
    });

    it('announces a new public URL with a notification that opens Settings, and remembers it', async () => {
      const { tunnel, store, window, pushes } = await start(
        { tunnelMode: 'ngrok', lastPublicUrl: 'https://old.ngrok-free.app' },
        { authtoken },
      );
      const toast = FakeNotification.instances.find((notification) => notification.options.title === 'Your public webhook URL changed');
      expect(toast?.options.body).toContain(`${tunnel.last()?.url}/telecmi/…`);
      expect(store.get().lastPublicUrl).toBe(tunnel.last()?.url);
      toast?.click();
      expect(window.visible).toBe(true);
      expect(pushes('window:show').at(-1)).toEqual({ view: 'settings' });
    });

    it('checks every hop of the path through the tunnel', async () => {
      const { invoke } = await start({ tunnelMode: 'ngrok' }, { authtoken });
      const report = (await invoke('tunnel:check')) as { hops: Array<{ hop: string; ok: boolean | null }> };
      expect(report.hops.map((hop) => `${hop.hop}:${hop.ok}`)).toEqual(['receiver:true', 'tunnel:true', 'public-url:true', 'token:true']);
    });

    it('closes the tunnel when switched back to a tunnel of one’s own', async () => {
      const { tunnel, invoke, store, app } = await start({ tunnelMode: 'ngrok' }, { authtoken });
      await invoke('settings:update', { ...store.get(), tunnelMode: 'own' });
      await expect.poll(() => app.status().tunnel.state).toBe('off');
      expect(tunnel.last()?.closed).toBe(true);
    });
  });

  describe('first run', () => {
    it('opens the welcome at start until it is dismissed', async () => {
      const { window, pushes } = await start({ welcomed: false });
      expect(window.visible).toBe(true);
      expect(pushes('window:show')).toEqual([{ view: 'welcome' }]);
    });

    it('stays in the tray once welcomed', async () => {
      const { window } = await start({ welcomed: true });
      expect(window.visible).toBe(false);
    });
  });

  describe('window', () => {
    it('is sandboxed and isolated, and denies navigation, new windows and permissions', async () => {
      const { window, fake } = await start();
      expect(window.options.webPreferences).toMatchObject({
        contextIsolation: true,
        sandbox: true,
        nodeIntegration: false,
        webSecurity: true,
      });
      const navigation = {
        prevented: false,
        preventDefault() {
          this.prevented = true;
        },
      };
      window.webContents.emit('will-navigate', navigation);
      expect(navigation.prevented).toBe(true);
      expect(window.webContents.windowOpenHandler?.({ url: 'https://example.com/' })).toEqual({ action: 'deny' });
      expect(window.webContents.windowOpenHandler?.({ url: 'file:///etc/passwd' })).toEqual({ action: 'deny' });
      expect(fake.calls.openExternal).toEqual(['https://example.com/']);
      let granted: boolean | undefined;
      (window.webContents.permissionHandler as (c: unknown, p: string, cb: (ok: boolean) => void) => void)(
        {},
        'notifications',
        (ok) => (granted = ok),
      );
      expect(granted).toBe(false);
    });

    it('opens near the tray icon on a left click, and closes on the next', async () => {
      const { tray, window } = await start();
      tray.emit('click');
      expect(window.visible).toBe(true);
      // Centred under the icon, kept 8 px inside the screen's right edge.
      expect(window.position).toEqual([1512, 32]);
      tray.emit('click');
      expect(window.visible).toBe(false);
    });
  });

  describe('on a real desktop', () => {
    it('hides the window when the user closes it, and keeps notifying and updating it', async () => {
      const { window, webhookUrl, tray, pushes } = await start();
      tray.clickItem('Open recent calls');
      window.close();
      expect(window.isDestroyed()).toBe(false);
      expect(window.visible).toBe(false);
      const answer = await postJson(webhookUrl(), loadEvent('leg-b-started'));
      expect(answer.status).toBe(200);
      expect(FakeNotification.instances).toHaveLength(1);
      expect(pushes('calls:changed')).toHaveLength(1);
      tray.clickItem('Open recent calls (1 unread)');
      expect(window.visible).toBe(true);
    });

    it('lets the window close when the app quits', async () => {
      const { window, beginQuitting } = await start();
      beginQuitting();
      window.close();
      expect(window.isDestroyed()).toBe(true);
    });

    it('still answers and notifies when the window was destroyed, and makes a new one to show', async () => {
      const { window, webhookUrl, tray, log } = await start();
      window.destroy();
      const answer = await postJson(webhookUrl(), loadEvent('leg-b-started'));
      expect(answer.status).toBe(200);
      expect(FakeNotification.instances).toHaveLength(1);
      expect(log.lines.filter((line) => line.level === 'error')).toEqual([]);
      tray.clickItem('Open recent calls (1 unread)');
      const shown = FakeBrowserWindow.last as FakeBrowserWindow;
      expect(shown).not.toBe(window);
      expect(shown.visible).toBe(true);
      expect(shown.webContents.sent.map((sent) => sent.channel)).toContain('window:show');
    });

    it('on Windows, a click on the tray icon closes the open window instead of reopening it', async () => {
      let clock = 1_000_000;
      const { window, tray } = await start({}, { platform: 'win32', now: () => clock });
      tray.emit('click');
      expect(window.visible).toBe(true);
      // Windows: the click blurs the window first (hiding it), then arrives as a click.
      window.blur();
      clock += 120;
      tray.emit('click');
      expect(window.visible).toBe(false);
      clock += 2_000;
      tray.emit('click');
      expect(window.visible).toBe(true);
    });

    it('hides the window when it loses focus except on Linux, where focus is not reported reliably', async () => {
      for (const platform of ['win32', 'linux'] as const) {
        const { window, tray, app } = await startApp({}, { platform });
        tray.emit('click');
        window.blur();
        expect([platform, window.visible]).toEqual([platform, platform === 'linux']);
        await app.stop();
      }
    });

    it('rebuilds the tray menu only when what it shows changed, so an open menu stays open', async () => {
      const { tray, invoke, webhookUrl } = await start();
      const built = tray.menusSet;
      await invoke('settings:update', { notificationSound: false });
      await invoke('status:get');
      expect(tray.menusSet).toBe(built);
      await postJson(webhookUrl(), loadEvent('leg-b-started'));
      expect(tray.menusSet).toBe(built + 1);
      expect(tray.labels()[0]).toBe('Open recent calls (1 unread)');
    });

    it('on macOS, a left click toggles the window and a right click pops up the menu', async () => {
      const { tray, window } = await start({}, { platform: 'darwin' });
      expect(tray.menusSet).toBe(0);
      tray.emit('click', { ctrlKey: false });
      expect(window.visible).toBe(true);
      expect(tray.popUps).toBe(0);
      tray.rightClick();
      expect(tray.popUps).toBe(1);
      expect(tray.labels()).toContain('Quit TeleCMI Notifier');
      tray.emit('click', { ctrlKey: true });
      expect(tray.popUps).toBe(2);
      expect(window.visible).toBe(true);
      expect(tray.ignoresDoubleClicks).toBe(true);
    });
  });
});

import { mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { CallRecord } from '../../src/core/calls/callRecord';
import { checkTeamConnection } from '../../src/core/tunnel/connectionDoctor';
import {
  fixtureCall,
  fixtureSettings,
  fixtureStatus,
  invocations,
  launchChromium,
  openWindow,
  pageErrors,
  push,
  serveRenderer,
} from './rendererHarness';

const now = Date.now();
const screenshots = 'test-results/screenshots';

/** A realistic morning: answered, missed and ringing calls from several agents and teams. */
const history: CallRecord[] = [
  fixtureCall(
    { from: '919812345678', user: '204_2222223', team: 'Sales_2222223', custom: { crm: 'true', ticket: 'T-1042' } },
    ['started'],
    now - 10_000,
    false,
  ),
  fixtureCall(
    { from: '442079460000', user: '205_2222223', team: 'Support_2222223', custom: { plan: 'gold' } },
    ['started', 'hangup'],
    now - 11 * 60_000,
    false,
  ),
  fixtureCall({ from: '14155550123', user: '204_2222223', team: 'Sales_2222223' }, ['started', 'answered', 'hangup'], now - 2 * 3600_000),
  {
    ...fixtureCall({ from: '61298765432', user: '207_2222223', team: 'Support_2222223' }, ['started', 'hangup'], now - 5 * 3600_000),
    state: 'answered-elsewhere' as const,
    answeredBy: '205_2222223',
    answeredByName: 'Ravi Kumar',
    callBack: undefined,
  },
];

describe('tray window in Chromium', () => {
  let browser: Browser;
  let server: Server;
  let url: string;
  let page: Page | undefined;

  beforeAll(async () => {
    mkdirSync(screenshots, { recursive: true });
    ({ server, url } = await serveRenderer());
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    server?.close();
  });
  afterEach(async () => {
    if (page) expect(pageErrors.get(page)).toEqual([]);
    await page?.close();
    page = undefined;
  });

  const rows = (target: Page) => target.locator('.row');
  const callers = (target: Page) => rows(target).locator('.caller').allTextContents();

  it('lists recent calls newest first, unread ones marked, in light and dark', async () => {
    for (const scheme of ['light', 'dark'] as const) {
      page = await openWindow(browser, url, { 'calls:list': history, 'status:get': { ...fixtureStatus(), unread: 2 } }, scheme);
      expect(await callers(page)).toEqual(['+91 98123 45678', '+44 20 7946 0000', '+1 415 555 0123', '+61 2 9876 5432']);
      expect(await rows(page).evaluateAll((elements) => elements.map((row) => row.classList.contains('unread')))).toEqual([
        true,
        true,
        false,
        false,
      ]);
      expect(await rows(page).locator('.badge').allTextContents()).toEqual(['Ringing', 'Missed', 'Ended · 0:30', 'Answered by Ravi Kumar']);
      expect(await rows(page).locator('.when').allTextContents()).toEqual(['just now', '11 min ago', '2 h ago', '5 h ago']);
      expect(await page.locator('.status').textContent()).toBe('Listening on http://127.0.0.1:8787');
      await page.screenshot({ path: `${screenshots}/calls-${scheme}.png` });
      expect(pageErrors.get(page)).toEqual([]);
      await page.close();
    }
    page = undefined;
  });

  it('puts a call that arrives at the top, unread', async () => {
    page = await openWindow(browser, url, { 'calls:list': history.slice(2) });
    const arriving = fixtureCall({ from: '919900011122', user: '204_2222223' }, ['started'], Date.now(), false);
    await push(page, 'calls:changed', { type: 'upserted', call: arriving });
    await expect.poll(() => callers(page as Page)).toEqual(['+91 99000 11122', '+1 415 555 0123', '+61 2 9876 5432']);
    expect(await rows(page).first().getAttribute('class')).toContain('unread');
    expect(await page.locator('.calls-view .count').textContent()).toBe('3 of 3 · 1 unread');
  });

  it('narrows the list as you search by number, agent, team or custom field, and by state', async () => {
    page = await openWindow(browser, url, { 'calls:list': history });
    const search = page.getByLabel('Search calls');
    await search.fill('7946');
    expect(await callers(page)).toEqual(['+44 20 7946 0000']);
    await search.fill('support');
    expect(await callers(page)).toEqual(['+44 20 7946 0000', '+61 2 9876 5432']);
    await search.fill('T-1042');
    expect(await callers(page)).toEqual(['+91 98123 45678']);
    await search.fill('nobody');
    expect(await page.locator('.empty').first().textContent()).toBe('No call matches this search.');
    await search.fill('');
    await page.getByLabel('Filter by state').selectOption('missed');
    expect(await callers(page)).toEqual(['+44 20 7946 0000']);
    await page.screenshot({ path: `${screenshots}/search.png` });
  });

  it('opens a call with every field, its custom fields and timeline, and marks it read', async () => {
    page = await openWindow(browser, url, { 'calls:list': history });
    await rows(page).first().click();
    const details = page.getByRole('region', { name: 'Call details' });
    await expect.poll(() => details.isVisible()).toBe(true);
    expect(await details.locator('.caller-title').textContent()).toBe('+91 98123 45678');
    const fieldsText = await details.locator('table.fields').first().textContent();
    expect(fieldsText).toContain('Agent204_2222223');
    expect(fieldsText).toContain('TeamSales_2222223');
    expect(await details.locator('table.custom').textContent()).toBe('crmtrueticketT-1042');
    expect(await details.locator('.timeline li').allTextContents()).toEqual([expect.stringContaining('agent-leg:started')]);
    expect(await invocations(page, 'calls:mark-read')).toEqual([{ channel: 'calls:mark-read', args: [[history[0]?.id]] }]);
    await details.getByRole('button', { name: 'Open in CRM' }).click();
    expect(await invocations(page, 'calls:open-crm')).toEqual([{ channel: 'calls:open-crm', args: [history[0]?.id] }]);
    await page.screenshot({ path: `${screenshots}/details.png` });
  });

  describe('a call is a conversation', () => {
    const missed = (from: string, minutesAgo: number) =>
      fixtureCall({ from, user: '204_2222223', team: 'Sales_2222223' }, ['started', 'hangup'], now - minutesAgo * 60_000, false);
    const toCallBack = [missed('919812345678', 3), { ...missed('442079460000', 25), voicemail: true }, missed('14155550123', 90)];
    const calledBack = {
      ...missed('61298765432', 120),
      read: true,
      callBack: { state: 'done' as const, by: '205_2222223', byName: 'Ravi Kumar', at: now - 100 * 60_000, how: 'called-back' as const },
    };
    const calls = [...toCallBack, calledBack];

    it('lists the calls to call back, newest first, and marks them done, in light and dark', async () => {
      for (const scheme of ['light', 'dark'] as const) {
        page = await openWindow(browser, url, { 'calls:list': calls, 'calls:mark-called-back': 1 }, scheme);
        expect(await page.getByRole('tab', { name: /Call back/ }).textContent()).toBe('Call back3');
        await page.getByRole('tab', { name: /Call back/ }).click();
        const view = page.getByRole('region', { name: 'To call back' });
        expect(await view.locator('.due').textContent()).toBe('3 to call back');
        expect(await view.locator('.caller').allTextContents()).toEqual(['+91 98123 45678', '+44 20 7946 0000', '+1 415 555 0123']);
        expect(await view.locator('.badge').allTextContents()).toEqual(['Missed', 'Missed · voicemail', 'Missed']);
        await page.screenshot({ path: `${screenshots}/call-back-${scheme}.png` });
        await view.getByRole('button', { name: 'Called back +44 20 7946 0000' }).click();
        expect(await invocations(page, 'calls:mark-called-back')).toEqual([
          { channel: 'calls:mark-called-back', args: [[toCallBack[1]?.id]] },
        ]);
        await push(page, 'calls:changed', { type: 'upserted', call: { ...toCallBack[1], callBack: calledBack.callBack } });
        await expect.poll(() => view.locator('.caller').allTextContents()).toEqual(['+91 98123 45678', '+1 415 555 0123']);
        expect(pageErrors.get(page)).toEqual([]);
        await page.close();
      }
      page = undefined;
    });

    it('shows who answered and who called back in the list and the details', async () => {
      page = await openWindow(browser, url, { 'calls:list': [calledBack, history[3]] });
      expect(await rows(page).locator('.badge').allTextContents()).toEqual(['Called back', 'Answered by Ravi Kumar']);
      expect(await rows(page).locator('.who').allTextContents()).toEqual(['204 · Sales · called back by Ravi Kumar', '207 · Support']);
      await rows(page).nth(1).click();
      const details = page.getByRole('region', { name: 'Call details' });
      expect(await details.locator('table.fields').first().textContent()).toContain('Answered byRavi Kumar (205_2222223)');
      await details.getByRole('button', { name: '← Calls' }).click();
      await rows(page).first().click();
      expect(await details.locator('table.fields').first().textContent()).toMatch(/Call backRavi Kumar, .* \(called them\)/);
    });

    it('fits the calls toolbar on one line of the 400 px window, with a search hint that can be read whole', async () => {
      page = await openWindow(browser, url, { 'calls:list': history, 'status:get': { ...fixtureStatus(), unread: 2 } });
      const tops = await page
        .locator('.calls-view .actions > button')
        .evaluateAll((buttons) => buttons.map((button) => Math.round(button.getBoundingClientRect().top)));
      expect(tops).toHaveLength(4);
      expect(new Set(tops).size).toBe(1);
      const overflow = await page.locator('.calls-view .actions').evaluate((row) => row.scrollWidth - row.clientWidth);
      expect(overflow).toBeLessThanOrEqual(0);
      const hint = await page.getByLabel('Search calls').evaluate((input: HTMLInputElement) => {
        const context = document.createElement('canvas').getContext('2d') as CanvasRenderingContext2D;
        const style = getComputedStyle(input);
        context.font = `${style.fontSize} ${style.fontFamily}`;
        const room = input.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
        return { needed: context.measureText(input.placeholder).width, room };
      });
      expect(hint.needed).toBeLessThanOrEqual(hint.room);
    });

    it('names colleagues in Settings, checked as you type', async () => {
      page = await openWindow(browser, url, {});
      await page.getByRole('tab', { name: 'Settings' }).click();
      const names = page.getByLabel('Colleagues’ names');
      await names.fill('205 = Ravi Kumar; 206 =');
      expect(await page.locator('#setting-agentNames-error').textContent()).toBe('must not be empty');
      await names.fill('205 = Ravi Kumar; 206 = Ann Joseph');
      await page.getByRole('button', { name: 'Save', exact: true }).first().click();
      const [saved] = await invocations(page, 'settings:update');
      expect((saved?.args[0] as { agentNames: unknown }).agentNames).toEqual({ '205': 'Ravi Kumar', '206': 'Ann Joseph' });
    });
  });

  it('exports the visible calls as CSV', async () => {
    page = await openWindow(browser, url, { 'calls:list': history });
    await page.getByLabel('Search calls').fill('sales');
    await page.getByRole('button', { name: 'Export', exact: true }).click();
    const [saved] = await invocations(page, 'calls:save-csv');
    const lines = String(saved?.args[0]).trimEnd().split('\r\n');
    expect(lines[0]).toBe(
      'id,conversationId,state,callerName,from,dialled,agent,team,appId,startedAt,answeredAt,endedAt,durationSec,waitedSec,hangupReason,' +
        'answeredBy,voicemail,callBack,calledBackBy,calledBackAt,custom',
    );
    expect(lines).toHaveLength(3);
    expect(lines[1]).toContain(',ringing,,+91 98123 45678,,204_2222223,Sales_2222223,2222223,');
    expect(lines[1]).toContain(',"{""crm"":""true"",""ticket"":""T-1042""}"');
    expect(await page.locator('.status').textContent()).toContain('Saved /home/agent/calls.csv');
  });

  it('refuses an invalid port in settings with the schema message', async () => {
    page = await openWindow(browser, url, {});
    await page.getByRole('tab', { name: 'Settings' }).click();
    await page.screenshot({ path: `${screenshots}/settings.png` });
    const port = page.getByLabel('Port');
    expect(await port.inputValue()).toBe('8787');
    await port.fill('70000');
    expect(await page.locator('#setting-port-error').textContent()).toBe('must be between 1 and 65535');
    await page.getByRole('button', { name: 'Save' }).click();
    expect(await invocations(page, 'settings:update')).toEqual([]);
    await page.getByLabel('CRM link', { exact: true }).fill('ftp://crm/{from}');
    expect(await page.locator('#setting-crmUrlTemplate-error').textContent()).toBe('must be an http:// or https:// URL');
    expect(await page.locator('.guide').textContent()).toContain('ngrok http 8787');
    await page.screenshot({ path: `${screenshots}/settings-errors.png` });
  });

  it('joins the team server with a join code, then shows who it joined as, and leaves', async () => {
    page = await openWindow(browser, url, {
      'team:join': { ok: true, message: 'Joined as 204_2222223 (Sales_2222223) on broker.example.com:8083.' },
      'team:leave': { ok: true, message: 'Left the team: this computer receives the webhook again.' },
      'tunnel:check': checkTeamConnection({ state: 'connected', teamServer: 'online' }, null),
    });
    await page.getByRole('tab', { name: 'Settings' }).click();
    await page.screenshot({ path: `${screenshots}/settings-team-join.png` });
    await page.getByLabel('Join code').fill('tcmi1.eyJ2IjoxfQ');
    await page.getByRole('button', { name: 'Join my team’s server' }).click();
    await expect
      .poll(() => page?.locator('.team-notice').textContent())
      .toBe('Joined as 204_2222223 (Sales_2222223) on broker.example.com:8083.');
    expect((await invocations(page, 'team:join'))[0]?.args).toEqual(['tcmi1.eyJ2IjoxfQ']);
    expect(await page.getByLabel('Join code').inputValue()).toBe('');
    // The app answers with settings and status pushes, as main does after a join.
    const teamIdentity = { agent: '204_2222223', teams: ['Sales_2222223'], brokerHost: 'broker.example.com:8083' };
    await push(page, 'settings:changed', { ...fixtureSettings, connectionMode: 'team', teamIdentity });
    await push(page, 'status:changed', {
      ...fixtureStatus(),
      receiver: { state: 'stopped' },
      team: { state: 'connected', teamServer: 'online' },
    });
    await expect.poll(() => page?.locator('.team-identity').textContent()).toContain('Joined as204_2222223');
    expect(await page.locator('.team-state').textContent()).toBe('Connected; receiving calls');
    expect(await page.locator('#webhook-url').count()).toBe(0);
    expect(await page.getByLabel('Port').isHidden()).toBe(true);
    expect(await page.locator('.status').textContent()).toBe('Receiving calls from the team server');
    expect(await page.locator('body').textContent()).not.toContain('tcmi1.');
    await page.screenshot({ path: `${screenshots}/settings-team-joined.png` });
    await page.getByRole('button', { name: 'Check connection' }).click();
    await expect.poll(() => page?.locator('.doctor').textContent()).toContain('Team server: The team server is online.');
    expect(await page.locator('.doctor .hop.failed').count()).toBe(0);
    await page.getByRole('button', { name: 'Leave team' }).click();
    await expect.poll(() => page?.locator('.team-notice').textContent()).toBe('Left the team: this computer receives the webhook again.');
  });

  describe('who is calling', () => {
    const midnight = new Date(new Date(now).getFullYear(), new Date(now).getMonth(), new Date(now).getDate()).getTime();
    const at = (hour: number, minute = 0): number => midnight + hour * 3600_000 + minute * 60_000;
    const named = (call: CallRecord, ...callerNames: string[]): CallRecord => ({ ...call, callerNames });
    /** Today: 9:00 two answered and a missed one, 10:00 one answered, 11:00 two missed; and one call yesterday. */
    const day: CallRecord[] = [
      named(fixtureCall({ from: '919876543210' }, ['started', 'hangup'], at(11, 40)), 'Asha Rao'),
      named(fixtureCall({ from: '919876500000' }, ['started', 'hangup'], at(11, 5)), 'Ravi Kumar', 'Ravi K (Accounts)'),
      fixtureCall({ from: '14155550123' }, ['started', 'answered', 'hangup'], at(10, 10)),
      {
        ...fixtureCall({ from: '447700900123' }, ['started', 'hangup'], at(10, 5)),
        state: 'answered-elsewhere' as const,
        answeredBy: '205_2222223',
        callBack: undefined,
      },
      named(fixtureCall({ from: '919876543210' }, ['started', 'hangup'], at(9, 50)), 'Asha Rao'),
      fixtureCall({ from: '442079460000' }, ['started', 'answered'], at(9, 20)),
      named(fixtureCall({ from: '919876543210' }, ['started', 'answered', 'hangup'], at(9, 5)), 'Asha Rao'),
      fixtureCall({ from: '61298765432' }, ['started', 'answered'], midnight - 3600_000),
    ].sort((a, b) => b.startedAt - a.startedAt);

    it('shows callers by name, or how many contacts match, and finds them by name', async () => {
      page = await openWindow(browser, url, { 'calls:list': day });
      const names = await callers(page);
      expect(names[0]).toBe('Asha Rao · +91 98765 43210');
      expect(names[1]).toBe('2 contacts match · +91 98765 00000');
      expect(names[2]).toBe('+1 415 555 0123');
      await page.getByLabel('Search calls').fill('ravi');
      expect(await callers(page)).toEqual(['2 contacts match · +91 98765 00000']);
      await page.getByLabel('Search calls').fill('asha');
      expect(await rows(page).count()).toBe(3);
      await rows(page).first().click();
      expect(await page.locator('.caller-title').textContent()).toBe('Asha Rao · +91 98765 43210');
      expect(await page.locator('.fields').first().textContent()).toContain('ContactAsha Rao');
    });

    it('exports the callers’ names with the calls', async () => {
      page = await openWindow(browser, url, { 'calls:list': day });
      await page.getByRole('button', { name: 'Export', exact: true }).click();
      const [saved] = await invocations(page, 'calls:save-csv');
      const lines = String(saved?.args[0]).trimEnd().split('\r\n');
      expect(lines[1]).toContain(',missed,Asha Rao,+91 98765 43210,');
      expect(lines[2]).toContain(',missed,Ravi Kumar; Ravi K (Accounts),+91 98765 00000,');
    });

    it('charts today’s calls per hour above the list, answered and missed apart, in light and dark', async () => {
      for (const scheme of ['light', 'dark'] as const) {
        page = await openWindow(browser, url, { 'calls:list': day }, scheme);
        expect(await page.locator('.today-totals').textContent()).toBe(
          '7 calls today · 3 answered by me · 1 by colleagues · 3 missed · 30 s avg. to answer',
        );
        const bars = (hour: number, kind: string) => page!.locator(`.today g[data-hour="${hour}"] rect.${kind}`).count();
        expect([
          await bars(9, 'mine'),
          await bars(9, 'missed'),
          await bars(10, 'mine'),
          await bars(10, 'colleagues'),
          await bars(11, 'missed'),
          await bars(11, 'mine'),
        ]).toEqual([1, 1, 1, 1, 1, 0]);
        const heights = await page
          .locator('.today g[data-hour="9"] rect')
          .evaluateAll((rects) => rects.map((rect) => Number(rect.getAttribute('height'))));
        // Two answered stand twice as tall as one missed in the same hour.
        expect(heights[0]).toBeCloseTo(2 * (heights[1] ?? 0), 5);
        expect(await page.locator('.today g[data-hour="11"] title').textContent()).toBe(
          '11:00 · 2 calls (0 answered by me, 0 by colleagues, 2 missed)',
        );
        expect(await page.locator('.today .legend').textContent()).toBe('Answered by meBy colleaguesMissed by allOpen');
        const colours = await page
          .locator('.today rect.mine, .today rect.colleagues, .today rect.missed')
          .evaluateAll((rects) => [...new Set(rects.map((rect) => getComputedStyle(rect).fill))]);
        expect(colours).toHaveLength(3);
        await page.screenshot({ path: `${screenshots}/today-${scheme}.png` });
        expect(pageErrors.get(page)).toEqual([]);
        await page.close();
      }
      page = undefined;
    });

    it('starts a new day at local midnight, also where the time zone is not a whole hour from UTC', async () => {
      // 23:59 in India (UTC+5:30), with one call at 23:30.
      const beforeMidnight = Date.parse('2026-11-25T23:59:00+05:30');
      const late = fixtureCall({ from: '919876543210' }, ['started', 'answered'], Date.parse('2026-11-25T23:30:00+05:30'));
      page = await openWindow(browser, url, { 'calls:list': [late] }, 'light', { timezoneId: 'Asia/Kolkata', time: beforeMidnight });
      expect(await page.locator('.today-totals').textContent()).toMatch(/^1 call today/);
      await page.clock.runFor(2 * 60_000);
      await expect
        .poll(() => page?.locator('.today-totals').textContent())
        .toBe('0 calls today · 0 answered by me · 0 by colleagues · 0 missed');
    });

    it('updates the chart live as a call arrives', async () => {
      page = await openWindow(browser, url, { 'calls:list': day });
      const ringing = named(fixtureCall({ from: '919876543210' }, ['started'], at(11, 59)), 'Asha Rao');
      await push(page, 'calls:changed', { type: 'upserted', call: ringing });
      await expect
        .poll(() => page?.locator('.today-totals').textContent())
        .toBe('8 calls today · 3 answered by me · 1 by colleagues · 3 missed · 30 s avg. to answer');
      expect(await page.locator('.today g[data-hour="11"] rect.other').count()).toBe(1);
    });

    it('imports contacts and says what was read and what was left out', async () => {
      page = await openWindow(browser, url, {
        'contacts:import': {
          ok: true,
          report: {
            source: 'crm-export.csv',
            read: 415,
            imported: 412,
            skipped: [
              { where: 'row 4', reason: 'no name' },
              { where: 'row 9', reason: '"n/a" is not a phone number' },
              { where: 'row 31', reason: 'no phone number' },
            ],
            skippedCount: 3,
          },
        },
        'contacts:clear': { ok: true, message: 'Contacts cleared: callers are shown by number.' },
      });
      await page.getByRole('tab', { name: 'Settings' }).click();
      expect(await page.locator('.contacts-summary').textContent()).toBe('No contacts imported: callers are shown by number.');
      await page.getByRole('button', { name: 'Import contacts…' }).click();
      await expect.poll(() => page?.locator('.import-headline').textContent()).toBe('Imported 412 of 415 entries from crm-export.csv.');
      expect(await page.locator('.skipped li').allTextContents()).toEqual([
        'row 4: no name',
        'row 9: "n/a" is not a phone number',
        'row 31: no phone number',
      ]);
      await push(page, 'status:changed', { ...fixtureStatus(), contacts: { count: 412, source: 'crm-export.csv', importedAt: now } });
      await expect.poll(() => page?.locator('.contacts-summary').textContent()).toContain('412 contacts from crm-export.csv, imported');
      await page.locator('.contacts').scrollIntoViewIfNeeded();
      await page.screenshot({ path: `${screenshots}/settings-contacts.png` });
      page.once('dialog', (dialog) => void dialog.accept());
      await page.getByRole('button', { name: 'Clear contacts' }).click();
      await expect.poll(() => page?.locator('.import-report').textContent()).toBe('Contacts cleared: callers are shown by number.');
    });

    it('says why nothing was imported', async () => {
      page = await openWindow(browser, url, {
        'contacts:import': {
          ok: false,
          message: 'Nothing imported: no phone column among "Name", "Email": name one Phone, Mobile or Number',
        },
      });
      await page.getByRole('tab', { name: 'Settings' }).click();
      await page.getByRole('button', { name: 'Import contacts…' }).click();
      await expect.poll(() => page?.locator('.import-report').textContent()).toContain('no phone column');
    });

    it('saves the screen pop and the default country', async () => {
      page = await openWindow(browser, url, {});
      await page.getByRole('tab', { name: 'Settings' }).click();
      expect(await page.getByLabel('Open the CRM link automatically').inputValue()).toBe('never');
      expect(await page.getByLabel('Default country').inputValue()).toBe('IN');
      await page.getByLabel('Open the CRM link automatically').selectOption('answer');
      await page.getByLabel('Default country').selectOption('GB');
      await page.getByRole('button', { name: 'Save' }).click();
      await expect.poll(() => page?.locator('.saved').textContent()).toBe('Saved.');
      expect((await invocations(page, 'settings:update'))[0]?.args[0]).toMatchObject({ screenPop: 'answer', defaultCountry: 'GB' });
    });
  });

  it('shows settings changed elsewhere (the tray) while the window is open', async () => {
    page = await openWindow(browser, url, {});
    await page.getByRole('tab', { name: 'Settings' }).click();
    expect(await page.getByLabel('Start at login').isChecked()).toBe(false);
    await push(page, 'settings:changed', { ...fixtureSettings, startAtLogin: true });
    expect(await page.getByLabel('Start at login').isChecked()).toBe(true);
  });

  it('saves valid settings through the bridge', async () => {
    page = await openWindow(browser, url, {});
    await page.getByRole('tab', { name: 'Settings' }).click();
    await page.getByLabel('Agent ids').fill('204, 205');
    await page.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => page?.locator('.saved').textContent()).toBe('Saved.');
    const [update] = await invocations(page, 'settings:update');
    expect(update?.args[0]).toMatchObject({ agents: ['204', '205'], port: 8787 });
    expect(update?.args[0]).not.toHaveProperty('token');
    expect(update?.args[0]).not.toHaveProperty('pausedUntil');
  });

  it('lists a refused request in the webhook log', async () => {
    page = await openWindow(browser, url, {
      'request-log:list': [{ time: now - 5000, method: 'POST', path: '/telecmi/***', status: 200, reason: 'recorded', durationMs: 1.2 }],
    });
    await page.getByRole('tab', { name: 'Webhook log' }).click();
    await push(page, 'request-log:added', {
      time: now,
      method: 'GET',
      path: '/telecmi/***',
      status: 401,
      reason: 'invalid token',
      durationMs: 0.4,
    });
    await expect.poll(() => page?.locator('.log tbody tr').count()).toBe(2);
    expect(await page.locator('.log tr.refused').textContent()).toContain('GET /telecmi/***401invalid token');
    await page.screenshot({ path: `${screenshots}/webhook-log.png` });
  });

  it('says what is wrong and what to do when the receiver cannot listen', async () => {
    page = await openWindow(browser, url, { 'status:get': fixtureStatus('error') });
    expect(await page.locator('.status').textContent()).toBe(
      'Not receiving calls: port 8787 is already in use on 127.0.0.1: quit the other program or choose another port. Change the port in Settings.',
    );
    expect(await page.locator('.empty').first().textContent()).toContain('No calls yet');
    await page.screenshot({ path: `${screenshots}/error-empty.png` });
  });

  it('welcomes a first run with the webhook URL, the next steps and a test call', async () => {
    page = await openWindow(browser, url, { 'settings:get': { ...fixtureSettings, welcomed: false } });
    const welcome = page.getByRole('region', { name: 'Welcome' });
    await expect.poll(() => welcome.isVisible()).toBe(true);
    expect(await welcome.getByLabel('Webhook URL').inputValue()).toBe('http://127.0.0.1:8787/telecmi/fixture-token-0123456789abcdefgh');
    expect(await welcome.textContent()).toContain('ngrok http 8787');
    await page.screenshot({ path: `${screenshots}/welcome.png` });
    await welcome.getByRole('button', { name: 'Send test call' }).click();
    await expect.poll(() => page?.locator('.status').textContent()).toContain('Test call sent: a notification should appear.');
    await welcome.getByRole('button', { name: 'Done' }).click();
    expect((await invocations(page, 'settings:update'))[0]?.args[0]).toEqual({ welcomed: true });
    expect(await page.getByRole('region', { name: 'Recent calls' }).isVisible()).toBe(true);
  });

  it('offers the team path on the welcome, which opens the join code in Settings', async () => {
    page = await openWindow(browser, url, { 'settings:get': { ...fixtureSettings, welcomed: false } });
    const welcome = page.getByRole('region', { name: 'Welcome' });
    await expect.poll(() => welcome.isVisible()).toBe(true);
    await welcome.getByRole('button', { name: 'Join my team’s server' }).click();
    await expect.poll(() => page?.getByLabel('Join code').isVisible()).toBe(true);
    expect((await invocations(page, 'settings:update'))[0]?.args[0]).toEqual({ welcomed: true });
  });

  it('sets up the built-in ngrok tunnel without ever showing the authtoken again', async () => {
    const online = {
      ...fixtureStatus(),
      tunnel: { state: 'online', url: 'https://calm-fox.ngrok-free.app' },
      ngrokAuthtokenSaved: true,
      publicWebhookUrl: 'https://calm-fox.ngrok-free.app/telecmi/fixture-token-0123456789abcdefgh',
    };
    page = await openWindow(browser, url, { 'tunnel:set-authtoken': { ok: true, message: 'ngrok authtoken saved.' } });
    await page.getByRole('tab', { name: 'Settings' }).click();
    expect(await page.getByLabel('Reserved ngrok domain (optional)').isVisible()).toBe(false);
    await page.getByLabel('Tunnel', { exact: true }).selectOption('ngrok');
    expect(await page.getByLabel('Reserved ngrok domain (optional)').isVisible()).toBe(true);
    expect(await page.getByLabel('Your tunnel’s public URL').isVisible()).toBe(false);
    await page.getByRole('button', { name: 'Save', exact: true }).first().click();
    await expect
      .poll(async () => ((await invocations(page as Page, 'settings:update'))[0]?.args[0] as { tunnelMode?: string })?.tunnelMode)
      .toBe('ngrok');
    await push(page, 'status:changed', fixtureStatus());
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await push(page, 'status:changed', { ...fixtureStatus() });
    const field = page.getByLabel('ngrok authtoken', { exact: true });
    await field.fill('short');
    await page.locator('.ngrok').getByRole('button', { name: 'Save' }).click();
    expect(await page.locator('.ngrok .saved').textContent()).toBe('paste the whole ngrok authtoken');
    await field.fill('2abcdefghijklmnopqrstuvwxyz_0123456789');
    await page.locator('.ngrok').getByRole('button', { name: 'Save' }).click();
    expect(await invocations(page, 'tunnel:set-authtoken')).toEqual([
      { channel: 'tunnel:set-authtoken', args: ['2abcdefghijklmnopqrstuvwxyz_0123456789'] },
    ]);
    expect(await field.inputValue()).toBe('');
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await push(page, 'status:changed', online);
    expect(await page.getByLabel('Webhook URL for TeleCMI').inputValue()).toBe(online.publicWebhookUrl);
    expect(await page.locator('.ngrok label').textContent()).toBe('ngrok authtoken: saved (encrypted)');
    expect(await page.locator('.status').textContent()).toBe('Listening on http://127.0.0.1:8787 · tunnel online');
    await page.locator('.settings-view').evaluate((view) => (view.scrollTop = 0));
    await page.screenshot({ path: `${screenshots}/settings-ngrok.png` });
  });

  it('checks the connection hop by hop and says what to do', async () => {
    page = await openWindow(browser, url, {
      'tunnel:check': {
        hops: [
          { hop: 'receiver', ok: true, detail: 'Listening on http://127.0.0.1:8787.' },
          {
            hop: 'tunnel',
            ok: false,
            detail: 'The ngrok tunnel is offline: authentication failed.',
            fix: 'Check the ngrok authtoken in Settings.',
          },
          { hop: 'public-url', ok: null, detail: 'not checked: an earlier step failed' },
          { hop: 'token', ok: null, detail: 'not checked: an earlier step failed' },
        ],
        lastEventAt: Date.now() - 3 * 60_000,
      },
    });
    await push(page, 'window:show', { view: 'check' });
    const doctor = page.getByRole('list', { name: 'Connection check' });
    await expect.poll(() => doctor.locator('li').count()).toBe(5);
    expect(await doctor.locator('li').allTextContents()).toEqual([
      '✓Receiver: Listening on http://127.0.0.1:8787.',
      '✗Tunnel: The ngrok tunnel is offline: authentication failed.Check the ngrok authtoken in Settings.',
      '–Public URL: not checked: an earlier step failed',
      '–Token: not checked: an earlier step failed',
      'Last event received 3 min ago.',
    ]);
    await page.screenshot({ path: `${screenshots}/connection-check.png` });
  });

  it('says so in the status bar when the tunnel is offline', async () => {
    page = await openWindow(browser, url, {
      'status:get': { ...fixtureStatus(), tunnel: { state: 'offline', reason: 'authentication failed', retryAt: now + 5000 } },
    });
    expect(await page.locator('.status').textContent()).toBe(
      'Tunnel offline: authentication failed. Retrying by itself; check the ngrok authtoken in Settings.',
    );
  });

  it('says so in the status bar when calls are not being saved', async () => {
    const history = { saved: false, error: 'attempt to write a readonly database', unsaved: 3 };
    page = await openWindow(browser, url, { 'calls:list': [], 'status:get': { ...fixtureStatus(), history } });
    expect(await page.locator('.status.error').textContent()).toBe(
      "Calls are not being saved: attempt to write a readonly database. Notifications still work; check the disk and the data folder's rights (see the log).",
    );
    await page.screenshot({ path: `${screenshots}/history-not-saved.png` });
  });

  it('opens the call a notification was clicked for', async () => {
    page = await openWindow(browser, url, { 'calls:list': history });
    await push(page, 'window:show', { view: 'calls', callId: history[1]?.id });
    await expect.poll(() => page?.locator('.caller-title').textContent()).toBe('+44 20 7946 0000');
  });

  it('draws only the rows on screen of 10,000 calls', async () => {
    const many = Array.from({ length: 10_000 }, (_, index) => ({ ...history[index % 4], id: `call-${index}` }) as CallRecord);
    page = await openWindow(browser, url, { 'calls:list': many });
    const drawn = await rows(page).count();
    expect(drawn).toBeGreaterThan(5);
    expect(drawn).toBeLessThan(40);
    await page.locator('.list').evaluate((list) => (list.scrollTop = 58 * 5000));
    await expect
      .poll(() =>
        rows(page as Page)
          .first()
          .getAttribute('data-call-id'),
      )
      .toMatch(/^call-49\d\d$/);
  });
});

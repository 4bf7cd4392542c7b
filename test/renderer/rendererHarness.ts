import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { newCallRecord, reconcile } from '../../src/core/calls/callLifecycle';
import { learn, newConversation } from '../../src/core/calls/conversation';
import type { CallRecord } from '../../src/core/calls/callRecord';
import { settingsSchema } from '../../src/core/settings/settingsSchema';
import { agentLegPayload, sampleCall, type AgentLegStatus } from '../../src/core/telecmi/sampleEvents';
import { parseTelecmiEvent } from '../../src/core/telecmi/parseEvent';
import { chromiumLaunchOptions } from '../../scripts/chromium';
import { installFakeBridge, type FakeBridgeControl } from './fakeBridge';

export const rendererDir = fileURLToPath(new URL('../../out/renderer', import.meta.url));
const types: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.png': 'image/png' };

/** Serves the built renderer on loopback: Chromium refuses module scripts from file:// URLs. */
export async function serveRenderer(): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    const path = normalize(new URL(req.url ?? '/', 'http://x').pathname).replace(/^(\.\.[/\\])+/, '');
    readFile(join(rendererDir, path === '/' ? 'index.html' : path)).then(
      (body) => res.writeHead(200, { 'content-type': types[extname(path)] ?? 'text/html' }).end(body),
      () => res.writeHead(404).end(),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}/`, server };
}

export const launchChromium = (): Promise<Browser> => chromium.launch(chromiumLaunchOptions());

/**
 * A call as the app would hold it: realistic payloads through the real pipeline functions. A leg
 * that hangs up unanswered is in a conversation the caller then left: nobody answered it.
 */
export function fixtureCall(
  overrides: Parameters<typeof sampleCall>[0],
  statuses: AgentLegStatus[],
  startedAt: number,
  read = true,
): CallRecord {
  const call = sampleCall(overrides);
  const parse = (payload: Record<string, unknown>, time: number) => {
    const parsed = parseTelecmiEvent(payload, time + 200);
    if (!parsed.ok) throw new Error(parsed.reason);
    return parsed.event;
  };
  const events = statuses.map((status, step) => parse(agentLegPayload(call, status, startedAt + step * 30_000), startedAt + step * 30_000));
  const ended = startedAt + statuses.length * 30_000;
  if (statuses.includes('hangup') && !statuses.includes('answered')) {
    const callerLeg = { type: 'event', direction: 'inbound', cmiuuid: call.conversationId, conversation_uuid: call.conversationId };
    events.push(parse({ ...callerLeg, from: call.from, app_id: call.appId, time: ended, status: 'hangup' }, ended));
  }
  const [first] = events;
  if (!first) throw new Error('a call needs an event');
  const facts = newConversation(call.conversationId);
  for (const event of events) learn(facts, event);
  return { ...reconcile(newCallRecord(first), facts, events), read };
}

export const fixtureSettings = settingsSchema.parse({
  token: 'fixture-token-0123456789abcdefgh',
  welcomed: true,
  crmUrlTemplate: 'https://crm.example.com/search?phone={from}',
});

export function fixtureStatus(state: 'listening' | 'error' = 'listening') {
  return {
    receiver:
      state === 'listening'
        ? { state, origin: 'http://127.0.0.1:8787', webhookUrl: `http://127.0.0.1:8787/telecmi/${fixtureSettings.token}` }
        : { state, error: 'port 8787 is already in use on 127.0.0.1: quit the other program or choose another port' },
    pausedUntil: null,
    unread: 0,
    toCallBack: 0,
    startAtLogin: false,
    tunnel: { state: 'off' as const },
    ngrokAuthtokenSaved: false,
    secretsEncrypted: true,
    history: { saved: true as const },
    team: null,
    contacts: null,
    lastEventAt: null,
  };
}

/** Errors thrown in each page, and CSP violations: a test that leaves one has failed, whatever it asserted. */
export const pageErrors = new WeakMap<Page, string[]>();

/** Opens the window page with the fake bridge answering from these fixtures. */
export async function openWindow(
  browser: Browser,
  url: string,
  answers: Record<string, unknown>,
  colorScheme: 'light' | 'dark' = 'light',
  { timezoneId, time }: { timezoneId?: string; time?: number } = {},
): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 400, height: 600 }, colorScheme, timezoneId });
  if (time !== undefined) await page.clock.install({ time });
  const errors: string[] = [];
  pageErrors.set(page, errors);
  page.on('pageerror', (error) => errors.push(error.message));
  // Chromium reports what the Content Security Policy refused (or ignored) on the console.
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) errors.push(message.text());
  });
  await page.addInitScript(installFakeBridge, {
    answers: {
      'calls:list': [],
      'status:get': fixtureStatus(),
      'settings:get': fixtureSettings,
      'request-log:list': [],
      'calls:mark-read': undefined,
      'calls:save-csv': { ok: true, message: 'Saved /home/agent/calls.csv' },
      'app:send-test-call': { ok: true, message: 'Test call sent: a notification should appear.' },
      'calls:open-crm': { ok: true, message: 'Opened in your browser.' },
      'app:copy-text': undefined,
      ...answers,
    },
  });
  await page.goto(url);
  await page.waitForSelector('.status:not(.starting)');
  return page;
}

export const invocations = (page: Page, channel: string) =>
  page.evaluate(
    (name) => (globalThis as unknown as { fakeBridge: FakeBridgeControl }).fakeBridge.invocations.filter((call) => call.channel === name),
    channel,
  );

export const push = (page: Page, channel: string, payload: unknown) =>
  page.evaluate(([name, value]) => (globalThis as unknown as { fakeBridge: FakeBridgeControl }).fakeBridge.push(name as string, value), [
    channel,
    payload,
  ] as const);

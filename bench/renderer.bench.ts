import type { CallRecord } from '../src/core/calls/callRecord';
import { fixtureCall, fixtureSettings, fixtureStatus, launchChromium, serveRenderer } from '../test/renderer/rendererHarness';
import { installFakeBridge } from '../test/renderer/fakeBridge';
import { build } from 'electron-vite';

const callCount = 10_000;
const targets = { firstRenderMs: 200, keystrokeMs: 16 };

/** 10,000 calls of many callers, agents and teams, as a busy centre's history holds them. */
function manyCalls(): CallRecord[] {
  const now = Date.now();
  const shapes: Array<Parameters<typeof fixtureCall>[1]> = [
    ['started'],
    ['started', 'hangup'],
    ['started', 'answered', 'hangup'],
    ['started', 'answered'],
  ];
  return Array.from({ length: callCount }, (_, index) =>
    fixtureCall(
      {
        from: `91${String(9_800_000_000 + index * 7919).slice(0, 10)}`,
        user: `${200 + (index % 40)}_2222223`,
        team: ['Sales', 'Support', 'Billing'][index % 3] + '_2222223',
        custom: { ticket: `T-${index}` },
      },
      shapes[index % 4] ?? ['started'],
      now - index * 60_000,
      index > 20,
    ),
  );
}

const percentile = (values: number[], fraction: number): number =>
  [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * fraction))] ?? Number.NaN;
const verdict = (pass: boolean): string => (pass ? 'PASS' : 'FAIL');

export async function rendererBench(): Promise<boolean> {
  console.log(`\n## Tray window: ${callCount} calls in Chromium (built renderer, virtualised list)`);
  await build({ logLevel: 'warn' });
  const { server, url } = await serveRenderer();
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 400, height: 600 } });
    page.on('pageerror', (error) => console.error('page error:', error.message));
    // tsx keeps function names with an `__name` helper that a function sent into the page lacks.
    await page.addInitScript('globalThis.__name = (target) => target');
    const calls = manyCalls();
    await page.addInitScript(installFakeBridge, {
      answers: { 'calls:list': calls, 'status:get': fixtureStatus(), 'settings:get': fixtureSettings, 'request-log:list': [] },
    });
    // Marks when the window asks for the calls and when the first rows are in the document.
    await page.addInitScript(() => {
      const marks = { requested: 0, firstRows: 0 };
      Object.assign(globalThis, { benchMarks: marks });
      const bridge = (globalThis as unknown as { telecmi: { invoke: (channel: string, ...args: unknown[]) => Promise<unknown> } }).telecmi;
      const invoke = bridge.invoke;
      bridge.invoke = (channel, ...args) => {
        if (channel === 'calls:list') marks.requested = performance.now();
        return invoke(channel, ...args);
      };
      new MutationObserver((_, observer) => {
        if (!document.querySelector('.row')) return;
        marks.firstRows = performance.now();
        observer.disconnect();
      }).observe(document, { childList: true, subtree: true });
    });
    await page.goto(url);
    await page.waitForSelector('.row');
    const marks = await page.evaluate(() => (globalThis as unknown as { benchMarks: { requested: number; firstRows: number } }).benchMarks);
    const firstRender = marks.firstRows - marks.requested;
    const drawnRows = await page.locator('.row').count();

    // Per keystroke: the input handler (filter + redraw) plus the layout it forces.
    const keystrokes = await page.evaluate(() => {
      const input = document.querySelector('input[type=search]') as HTMLInputElement;
      const list = document.querySelector('.list') as HTMLElement;
      const times: number[] = [];
      for (const query of ['9198', 'sales', 't-12', '204 supp', 'missed']) {
        input.value = '';
        input.dispatchEvent(new Event('input'));
        for (const char of query) {
          input.value += char;
          const start = performance.now();
          input.dispatchEvent(new Event('input'));
          void list.offsetHeight;
          times.push(performance.now() - start);
        }
      }
      return times;
    });

    // Baseline, same page and run: the same 10,000 rows drawn without virtualisation.
    const unvirtualised = await page.evaluate((count) => {
      const start = performance.now();
      const container = document.createElement('div');
      for (let index = 0; index < count; index += 1) {
        const row = document.createElement('button');
        row.className = 'row';
        row.style.position = 'static';
        row.append(
          Object.assign(document.createElement('span'), { className: 'caller', textContent: `+91 98 ${index}` }),
          Object.assign(document.createElement('span'), { className: 'who', textContent: '204 · Sales' }),
        );
        container.append(row);
      }
      document.body.append(container);
      void container.offsetHeight;
      const elapsed = performance.now() - start;
      container.remove();
      return elapsed;
    }, callCount);

    const p50 = percentile(keystrokes, 0.5);
    const p95 = percentile(keystrokes, 0.95);
    const worst = Math.max(...keystrokes);
    console.log(
      `first render (calls asked for -> first rows in the document): ${firstRender.toFixed(1)} ms, ${drawnRows} row elements for ${callCount} calls`,
    );
    console.log(
      `(page start -> first rows, including this harness parsing its ${callCount}-call fixture: ${marks.firstRows.toFixed(1)} ms)`,
    );
    console.log(`baseline: the same ${callCount} rows drawn without virtualisation: ${unvirtualised.toFixed(1)} ms`);
    console.log(
      `search, per keystroke (${keystrokes.length} keystrokes): p50 ${p50.toFixed(2)} ms, p95 ${p95.toFixed(2)} ms, worst ${worst.toFixed(2)} ms`,
    );
    const checks: Array<[string, boolean]> = [
      [`first render ${firstRender.toFixed(1)} ms  [target < ${targets.firstRenderMs} ms]`, firstRender < targets.firstRenderMs],
      [`search p95 ${p95.toFixed(2)} ms per keystroke  [target < ${targets.keystrokeMs} ms]`, p95 < targets.keystrokeMs],
    ];
    for (const [text, pass] of checks) console.log(`${verdict(pass)}  ${text}`);
    return checks.every(([, pass]) => pass);
  } finally {
    await browser.close();
    server.close();
  }
}

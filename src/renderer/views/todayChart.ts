import { h } from '../dom';
import { outcomes as kinds, summariseToday, type HourOfCalls, type Outcome, type TodaySummary } from '../logic/today';
import type { Store } from '../store';

const svgNamespace = 'http://www.w3.org/2000/svg';
const width = 384;
const height = 64;
const axisHeight = 12;
const barGap = 2;
const slotWidth = width / 24;
const legendLabels: Record<Outcome, string> = {
  mine: 'Answered by me',
  colleagues: 'By colleagues',
  missed: 'Missed by all',
  other: 'Open',
};

/** An SVG element; colours come from classes (the theme's variables), never inline styles (CSP). */
function svg<K extends keyof SVGElementTagNameMap>(
  tag: K,
  attributes: Record<string, string | number>,
  ...children: Array<SVGElement | string>
): SVGElementTagNameMap[K] {
  const element = document.createElementNS(svgNamespace, tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, String(value));
  element.append(...children);
  return element;
}

/** One stacked bar: answered here at the bottom, then by colleagues, then missed by everyone, then calls still open. */
function bar(hour: HourOfCalls, scale: number): SVGElement {
  const group = svg('g', { class: 'hour', 'data-hour': hour.hour });
  let top = height - axisHeight;
  for (const kind of kinds) {
    if (hour[kind] === 0) continue;
    const barHeight = Math.max(2, hour[kind] * scale);
    top -= barHeight;
    group.append(
      svg('rect', { class: `bar ${kind}`, x: hour.hour * slotWidth + barGap / 2, y: top, width: slotWidth - barGap, height: barHeight }),
    );
  }
  const total = hour.mine + hour.colleagues + hour.missed + hour.other;
  const counts = `${hour.mine} answered by me, ${hour.colleagues} by colleagues, ${hour.missed} missed`;
  const label = `${String(hour.hour).padStart(2, '0')}:00 · ${total} ${total === 1 ? 'call' : 'calls'} (${counts})`;
  group.prepend(svg('title', {}, label));
  return group;
}

function chart(summary: TodaySummary, currentHour: number): SVGSVGElement {
  const busiest = Math.max(1, ...summary.hours.map((hour) => hour.mine + hour.colleagues + hour.missed + hour.other));
  const scale = (height - axisHeight - 4) / busiest;
  const ticks = [0, 6, 12, 18].map((hour) =>
    svg('text', { class: 'tick', x: hour * slotWidth + 1, y: height - 1 }, `${String(hour).padStart(2, '0')}:00`),
  );
  const now = svg('rect', { class: 'now', x: currentHour * slotWidth, y: 0, width: slotWidth, height: height - axisHeight });
  return svg(
    'svg',
    {
      viewBox: `0 0 ${width} ${height}`,
      role: 'img',
      'aria-label': `Today's calls per hour: ${summary.mine} answered by me, ${summary.colleagues} by colleagues, ${summary.missed} missed by everyone`,
    },
    now,
    svg('line', { class: 'axis', x1: 0, x2: width, y1: height - axisHeight, y2: height - axisHeight }),
    ...summary.hours.map((hour) => bar(hour, scale)),
    ...ticks,
  );
}

function totalsText(summary: TodaySummary): string {
  const parts = [
    `${summary.calls} ${summary.calls === 1 ? 'call' : 'calls'} today`,
    `${summary.mine} answered by me`,
    `${summary.colleagues} by colleagues`,
    `${summary.missed} missed`,
  ];
  if (summary.averageAnswerSec !== undefined) parts.push(`${summary.averageAnswerSec} s avg. to answer`);
  return parts.join(' · ');
}

/**
 * Today at a glance, above the call list: conversations per hour, answered here, by colleagues and
 * missed by everyone told apart by colour and by the legend, and the day's totals. Drawn only while the window is seen: a hidden
 * window marks it out of date and draws it once when shown again.
 */
export function createTodayChart(store: Store, now: () => number) {
  const totals = h('p', { class: 'today-totals' });
  const picture = h('div', { class: 'today-picture' });
  const legend = h(
    'ul',
    { class: 'legend', 'aria-hidden': 'true' },
    ...kinds.map((kind) => h('li', { class: `key ${kind}` }, legendLabels[kind])),
  );
  const element = h('section', { class: 'today', 'aria-label': 'Today at a glance' }, totals, picture, legend);
  let stale = true;
  /** What the picture shows: redrawn only when the calls or the local hour changed. */
  let drawnFor: { calls: unknown; hour: string } | undefined;

  function draw(): void {
    stale = false;
    const local = new Date(now());
    const hour = `${local.toDateString()} ${local.getHours()}`;
    if (drawnFor?.calls === store.state.calls && drawnFor.hour === hour) return;
    drawnFor = { calls: store.state.calls, hour };
    const summary = summariseToday(store.state.calls, now());
    totals.textContent = totalsText(summary);
    picture.replaceChildren(chart(summary, new Date(now()).getHours()));
  }

  document.addEventListener('visibilitychange', () => {
    if (!document.hidden && stale) draw();
  });

  return {
    element,
    /** The calls changed (or the hour moved on). */
    update(): void {
      if (document.hidden) stale = true;
      else draw();
    },
  };
}

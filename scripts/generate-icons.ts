/**
 * Regenerates every PNG in assets/ from assets/icon.svg, rasterised by Chromium (Debian's
 * `chromium`, driven by playwright-core). Run: `npm run icons`.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { chromiumLaunchOptions } from './chromium';

const source = readFileSync('assets/icon.svg', 'utf8');
const part = (id: string): string => {
  const match = source.match(new RegExp(`<[^>]*id="${id}"[^>]*/>`));
  if (!match) throw new Error(`assets/icon.svg has no element with id="${id}"`);
  return match[0];
};
const tile = part('tile');
const bell = part('bell');

const svg = (body: string): string => `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24">${body}</svg>`;
const recolour = (element: string, fill: string): string => element.replace(/fill="[^"]*"/, `fill="${fill}"`);

/** The tray states, each a tile colour and a mark; macOS gets black template glyphs instead. */
const badges = {
  listening: '',
  unread: '<circle cx="19" cy="5" r="4.2" fill="#ff8a00" stroke="#ffffff" stroke-width="1.2"/>',
  paused:
    '<rect x="14.5" y="13" width="8" height="10" rx="2" fill="#ffffff"/><rect x="16.2" y="14.8" width="1.6" height="6.4" fill="#5f6b6b"/><rect x="19.2" y="14.8" width="1.6" height="6.4" fill="#5f6b6b"/>',
  error:
    '<circle cx="18.5" cy="18.5" r="5" fill="#ffffff"/><rect x="17.7" y="15.3" width="1.6" height="4.2" rx=".8" fill="#c62828"/><circle cx="18.5" cy="21.2" r=".95" fill="#c62828"/>',
} as const;
const tileColours = { listening: '#0f8f6c', unread: '#0f8f6c', paused: '#5f6b6b', error: '#c62828' } as const;
const templateMarks = {
  listening: '',
  unread: '<circle cx="19.5" cy="4.5" r="3.8" fill="#000000"/>',
  paused: '<rect x="16" y="14" width="2" height="8" fill="#000000"/><rect x="20" y="14" width="2" height="8" fill="#000000"/>',
  error: '<rect x="18.2" y="13" width="2.4" height="6.5" rx="1.2" fill="#000000"/><circle cx="19.4" cy="22" r="1.3" fill="#000000"/>',
} as const;

type State = keyof typeof badges;
const states = Object.keys(badges) as State[];

export const iconFiles: Array<{ file: string; size: number; svg: string }> = [
  ...[16, 24, 32, 48, 64, 128, 256, 512, 1024].map((size) => ({ file: `assets/icons/${size}x${size}.png`, size, svg: source })),
  { file: 'assets/icon.png', size: 1024, svg: source },
  { file: 'assets/notification.png', size: 256, svg: source },
  ...states.flatMap((state) => {
    const coloured = svg(recolour(tile, tileColours[state]) + bell + badges[state]);
    const template = svg(recolour(bell, '#000000') + templateMarks[state]);
    return [
      { file: `assets/tray/${state}.png`, size: 16, svg: coloured },
      { file: `assets/tray/${state}@2x.png`, size: 32, svg: coloured },
      { file: `assets/tray/${state}Template.png`, size: 16, svg: template },
      { file: `assets/tray/${state}Template@2x.png`, size: 32, svg: template },
    ];
  }),
];

async function main(): Promise<void> {
  const browser = await chromium.launch(chromiumLaunchOptions());
  const page = await browser.newPage();
  for (const { file, size, svg: markup } of iconFiles) {
    await page.setViewportSize({ width: size, height: size });
    const sized = markup.replace('<svg ', `<svg width="${size}" height="${size}" `);
    await page.setContent(`<html><body style="margin:0;background:transparent">${sized}</body></html>`);
    mkdirSync(file.slice(0, file.lastIndexOf('/')), { recursive: true });
    writeFileSync(file, await page.screenshot({ omitBackground: true, clip: { x: 0, y: 0, width: size, height: size } }));
    console.log(`${file} ${size}x${size}`);
  }
  await browser.close();
}

if (process.argv[1]?.endsWith('generate-icons.ts')) await main();

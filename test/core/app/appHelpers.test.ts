import { describe, expect, it } from 'vitest';
import { crmUrlFor, isSafeExternalUrl } from '../../../src/core/app/externalLinks';
import { isPaused, pauseUntil } from '../../../src/core/app/pause';
import { trayWindowPosition } from '../../../src/core/app/windowPosition';

describe('pause', () => {
  const now = new Date(2026, 10, 25, 14, 30);

  it('pauses for an hour or until the start of tomorrow', () => {
    expect(pauseUntil('hour', now)).toBe(now.getTime() + 3_600_000);
    expect(new Date(pauseUntil('tomorrow', now))).toEqual(new Date(2026, 10, 26, 0, 0));
  });

  it('is paused only before the moment it ends', () => {
    expect(isPaused(null, now.getTime())).toBe(false);
    expect(isPaused(now.getTime() + 1, now.getTime())).toBe(true);
    expect(isPaused(now.getTime(), now.getTime())).toBe(false);
  });
});

describe('external links', () => {
  it('builds the CRM link with the number URL-encoded', () => {
    expect(crmUrlFor('https://crm.example.com/search?phone={from}', { from: { digits: '919876543210', display: '' } })).toBe(
      'https://crm.example.com/search?phone=919876543210',
    );
  });

  it('gives no link without a template, a number, or with a scheme that is not http(s)', () => {
    const from = { digits: '1', display: '+1' };
    expect(crmUrlFor('', { from })).toBeUndefined();
    expect(crmUrlFor('https://crm/{from}', { from: undefined })).toBeUndefined();
    expect(crmUrlFor('{from}', { from: { digits: 'javascript:alert(1)', display: '' } })).toBeUndefined();
    expect(isSafeExternalUrl('file:///etc/passwd')).toBe(false);
    expect(isSafeExternalUrl('not a url')).toBe(false);
  });
});

describe('tray window position', () => {
  const size = { width: 400, height: 600 };
  const screen = { x: 0, y: 0, width: 1920, height: 1040 };

  it('hangs below a tray at the top of the screen', () => {
    expect(trayWindowPosition(size, { ...screen, y: 25 }, { x: 1000, y: 0, width: 22, height: 22 })).toEqual({ x: 811, y: 33 });
  });

  it('stands above a tray at the bottom, inside the right edge', () => {
    expect(trayWindowPosition(size, screen, { x: 1890, y: 1045, width: 24, height: 24 })).toEqual({ x: 1512, y: 432 });
  });

  it('is centred where the tray position is unknown', () => {
    expect(trayWindowPosition(size, screen, { x: 0, y: 0, width: 0, height: 0 })).toEqual({ x: 760, y: 220 });
  });
});

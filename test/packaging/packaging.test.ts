import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { Ajv } from 'ajv';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { appIdentity } from '../../src/core/app/appIdentity';
import type { TrayIcon } from '../../src/core/app/trayModel';
import { iconFiles } from '../../scripts/generate-icons';
import { devContentSecurityPolicy } from '../../electron.vite.config';

/** The fields asserted below; the schema test checks the whole file. */
interface BuilderConfig {
  appId: string;
  productName: string;
  asar: boolean;
  electronFuses: Record<string, boolean>;
  files: string[];
  linux: { target: string[]; maintainer: string; icon: string };
  deb: { depends: string[]; recommends: string[] };
  win: { target: string[]; icon: string };
  mac: { target: string[]; icon: string; extendInfo: Record<string, unknown> };
}

const config = parse(readFileSync('electron-builder.yml', 'utf8')) as BuilderConfig;

/** Width and height from a PNG's IHDR chunk. */
function pngSize(file: string): { width: number; height: number } {
  const bytes = readFileSync(file);
  expect(bytes.subarray(1, 4).toString('latin1')).toBe('PNG');
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

describe('electron-builder.yml', () => {
  it('is valid against the JSON schema electron-builder ships', () => {
    const schema = JSON.parse(readFileSync('node_modules/app-builder-lib/scheme.json', 'utf8'));
    const ajv = new Ajv({ strict: false, allErrors: true });
    const validate = ajv.compile(schema);
    expect(validate(config) ? [] : validate.errors).toEqual([]);
  });

  it('uses the AppUserModelID the app sets, and the product name', () => {
    expect(config.appId).toBe(appIdentity.appId);
    expect(config.productName).toBe(appIdentity.productName);
    expect(JSON.parse(readFileSync('package.json', 'utf8')).productName).toBe(appIdentity.productName);
  });

  it('turns off running as Node, NODE_OPTIONS and inspect flags, and checks asar integrity', () => {
    expect(config.asar).toBe(true);
    expect(config.electronFuses).toMatchObject({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
    });
  });

  it('re-signs the macOS app ad hoc after flipping its fuses, so Apple silicon launches it unsigned', () => {
    expect(config.electronFuses.resetAdHocDarwinSignature).toBe(true);
  });

  it("keeps electron-builder's deb dependencies, and only recommends the tray library Debian 12 lacks", () => {
    const schema = JSON.parse(readFileSync('node_modules/app-builder-lib/scheme.json', 'utf8'));
    const defaults = schema.definitions.DebOptions.properties.depends.default as string[];
    expect(config.deb.depends).toEqual(expect.arrayContaining([...defaults, 'libnotify4', 'xdg-utils', 'libgtk-3-0']));
    expect(config.deb.depends.join(' ')).not.toMatch(/appindicator/);
    expect(config.deb.recommends).toEqual(['libayatana-appindicator3-1 | libappindicator3-1']);
  });

  it('targets AppImage and deb, NSIS and dmg', () => {
    expect(config.linux.target).toEqual(['AppImage', 'deb']);
    expect(config.linux.maintainer).toBeTruthy();
    expect(JSON.parse(readFileSync('package.json', 'utf8')).homepage).toBeTruthy();
    expect(config.win.target).toEqual(['nsis']);
    expect(config.mac.target).toEqual(['dmg']);
    expect(config.mac.extendInfo.LSUIElement).toBe(true);
  });

  it('packs only the built app, without sources, tests or maps', () => {
    const files = config.files as string[];
    expect(files.filter((pattern) => !pattern.startsWith('!'))).toEqual([
      'out/main/**',
      'out/preload/**',
      'out/renderer/**',
      'package.json',
    ]);
    expect(files).toEqual(expect.arrayContaining(['!**/*.map', '!**/*.ts']));
    expect(files.join(' ')).not.toMatch(/\bsrc\/|\btest\/|\bbench\//);
  });
});

describe('icons', () => {
  it('has every icon the script makes, at its size', () => {
    for (const { file, size } of iconFiles) expect({ file, ...pngSize(file) }).toEqual({ file, width: size, height: size });
  });

  it('has every icon the app and the packaging config refer to', () => {
    const states: TrayIcon[] = ['listening', 'paused', 'error', 'unread'];
    const referenced = [
      ...states.flatMap((state) => [
        `assets/tray/${state}.png`,
        `assets/tray/${state}Template.png`,
        `assets/tray/${state}@2x.png`,
        `assets/tray/${state}Template@2x.png`,
      ]),
      'assets/notification.png',
      config.win.icon,
      config.mac.icon,
    ];
    for (const file of referenced) expect(existsSync(file), file).toBe(true);
    expect(pngSize(config.mac.icon)).toEqual({ width: 1024, height: 1024 });
    expect(readdirSync(config.linux.icon).filter((file) => file.endsWith('.png')).length).toBeGreaterThanOrEqual(8);
  });
});

describe('the built app (npm run build)', () => {
  const built = (dir: string): string[] =>
    readdirSync(dir).flatMap((name) => {
      const path = join(dir, name);
      return statSync(path).isDirectory() ? built(path) : [relative('out', path)];
    });

  it('holds main, a self-contained sandboxed preload and the renderer, and nothing of sources or tests', () => {
    const files = ['main', 'preload', 'renderer'].flatMap((part) => built(join('out', part)));
    expect(files).toEqual(expect.arrayContaining(['main/index.js', 'preload/index.cjs', 'renderer/index.html']));
    expect(files.filter((file) => /\.(ts|map)$|test|spec/.test(file))).toEqual([]);
    const preload = readFileSync('out/preload/index.cjs', 'utf8');
    expect(preload.match(/require\("([^"]+)"\)/g)).toEqual(['require("electron")']);
    expect(readFileSync('out/renderer/index.html', 'utf8')).toContain("default-src 'none'");
  });

  it('keeps the strict CSP in the built window, and relaxes it for the dev server only', () => {
    const policy = (html: string): string => html.match(/http-equiv="Content-Security-Policy"\s+content="([^"]+)"/)?.[1] ?? '';
    const builtPolicy = policy(readFileSync('out/renderer/index.html', 'utf8'));
    expect(builtPolicy).toContain("style-src 'self';");
    expect(builtPolicy).toContain("connect-src 'none'");
    // Ignored in a <meta> tag, where Chromium logs an error for it.
    expect(builtPolicy).not.toContain('frame-ancestors');
    expect(devContentSecurityPolicy.apply).toBe('serve');
    const transform = devContentSecurityPolicy.transformIndexHtml as (html: string) => string;
    const devPolicy = policy(transform(readFileSync('src/renderer/index.html', 'utf8')));
    expect(devPolicy).toContain("style-src 'self' 'unsafe-inline'");
    expect(devPolicy).toContain("connect-src 'self' ws://localhost:*");
    expect(devPolicy).toContain("script-src 'self';");
  });
});

describe('the CLI outside the clone', () => {
  it('packs the built CLI and its launcher into the tarball "npm pack" makes, without source maps', () => {
    // --ignore-scripts: the CLI is already built for the tests (prepare would build it again).
    const packed = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { encoding: 'utf8' })) as Array<{
      files: Array<{ path: string }>;
    }>;
    const files = packed[0]?.files ?? [];
    const paths = files.map((file) => file.path);
    expect(paths).toEqual(expect.arrayContaining(['bin/telecmi-notifier.js', 'out/cli/index.js', 'package.json']));
    expect(paths.filter((path) => path.endsWith('.map') || path.startsWith('src/') || path.startsWith('test/'))).toEqual([]);
  });

  it("keeps the README's example folders (history, tokens, the broker's passwords) out of git", () => {
    const ignored = execFileSync('git', ['check-ignore', 'data/calls.db', 'team/team.json'], { encoding: 'utf8' });
    expect(ignored.trim().split('\n')).toEqual(['data/calls.db', 'team/team.json']);
  });
});

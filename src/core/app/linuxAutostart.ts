import { mkdirSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { appIdentity } from './appIdentity';

/** Linux has no login-item API: desktops start what `~/.config/autostart/*.desktop` lists (XDG). */
export function linuxAutostartFile(configHome: string): string {
  return join(configHome, 'autostart', `${appIdentity.slug}.desktop`);
}

export function linuxAutostartEntry(executable: string): string {
  return [
    '[Desktop Entry]',
    'Type=Application',
    `Name=${appIdentity.productName}`,
    `Exec="${executable.replaceAll('"', '\\"')}"`,
    'X-GNOME-Autostart-enabled=true',
    'Terminal=false',
    '',
  ].join('\n');
}

export function setLinuxAutostart(enabled: boolean, { configHome, executable }: { configHome: string; executable: string }): void {
  const file = linuxAutostartFile(configHome);
  if (!enabled) {
    rmSync(file, { force: true });
    return;
  }
  mkdirSync(join(configHome, 'autostart'), { recursive: true });
  writeFileSync(file, linuxAutostartEntry(executable));
}

export function isLinuxAutostartEnabled(configHome: string): boolean {
  return existsSync(linuxAutostartFile(configHome));
}

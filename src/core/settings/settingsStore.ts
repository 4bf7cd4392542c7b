import type { Logger } from '../log/logger';
import { readSettings } from './readSettings';
import { settingsSchema, type Settings } from './settingsSchema';

/** Where settings live: electron-store's whole-store getter and setter in the app. */
export interface SettingsFile {
  read(): unknown;
  write(settings: Settings): void;
}

export type SettingsUpdate = { ok: true; settings: Settings } | { ok: false; issues: Array<{ path: string; message: string }> };

/** The settings, validated by the one schema on the way in from disk and from the window. */
export function createSettingsStore({ file, log }: { file: SettingsFile; log: Logger }) {
  const initial = readSettings(file.read(), log);
  let settings = initial.settings;
  // Defaults (a generated token above all) are written at once, so they survive a restart.
  if (initial.defaulted.length > 0) file.write(settings);
  const listeners = new Set<(next: Settings, previous: Settings) => void>();

  function replace(next: Settings): Settings {
    const previous = settings;
    settings = next;
    file.write(settings);
    for (const listener of listeners) listener(settings, previous);
    return settings;
  }

  return {
    get: (): Settings => settings,

    /** Replaces the settings with what the window submitted, or says what the schema refused. */
    update(input: unknown): SettingsUpdate {
      const parsed = settingsSchema.safeParse(input);
      if (!parsed.success) {
        return {
          ok: false,
          issues: parsed.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message })),
        };
      }
      return { ok: true, settings: replace(parsed.data) };
    },

    /** Changes a few settings from inside the app (pause, start at login, a new token). */
    patch(changes: Partial<Settings>): Settings {
      return replace(settingsSchema.parse({ ...settings, ...changes }));
    },

    onChange(listener: (next: Settings, previous: Settings) => void): () => void {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

export type SettingsStore = ReturnType<typeof createSettingsStore>;

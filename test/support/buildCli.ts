import { build } from 'vite';

/** The CLI tests run the real bin, so they get a bundle of the current sources, not a stale one. */
export default async function buildCli(): Promise<void> {
  await build({ configFile: 'vite.cli.config.ts', logLevel: 'warn' });
}

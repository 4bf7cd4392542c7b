import { build as buildApp } from 'electron-vite';
import { build } from 'vite';

/**
 * Tests run what users run: the CLI bundle (its tests spawn the real bin) and the app's main,
 * preload and renderer bundles (the browser tests load the built window), built from the
 * current sources before any test starts.
 */
export default async function buildOutputs(): Promise<void> {
  await build({ configFile: 'vite.cli.config.ts', logLevel: 'warn' });
  await buildApp({ logLevel: 'warn' });
}

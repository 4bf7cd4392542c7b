#!/usr/bin/env node
// The CLI is bundled by `npm run build:cli`, which `npm install` runs through `prepare`.
import { existsSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';

// A server that runs for months: the heap grows by less at each collection (under a burst of
// events V8's default let it reach three times what it held, and it never gave that back).
setFlagsFromString('--optimize-for-size');

const cli = new URL('../out/cli/index.js', import.meta.url);
if (!existsSync(cli)) {
  console.error('telecmi-notifier: the CLI is not built yet; run "npm run build:cli" in the project folder.');
  process.exit(1);
}
await import(cli.href);

#!/usr/bin/env node
// The CLI is bundled by `npm run build:cli`, which `npm install` runs through `prepare`.
import { existsSync } from 'node:fs';

const cli = new URL('../out/cli/index.js', import.meta.url);
if (!existsSync(cli)) {
  console.error('telecmi-notifier: the CLI is not built yet; run "npm run build:cli" in the project folder.');
  process.exit(1);
}
await import(cli.href);

/** `npm test` runs this first (`pretest`): the window tests need a Chromium, found or installed. */
import { ensureChromium } from './chromium';

try {
  console.log(`Chromium for the window tests: ${ensureChromium()}`);
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
}

import type { Logger } from '../core/log/logger';
import { errorMessage } from '../core/log/errorMessage';

let stopCommand: (() => void) | undefined;
let stopAsked = false;

function onSignal(): void {
  if (stopAsked) process.exit(130);
  stopAsked = true;
  stopCommand?.();
}

/**
 * Ctrl+C and SIGTERM, caught from the moment a long-running command starts: one that comes while
 * it is still starting (its first line may already be out) stops it cleanly as soon as it can,
 * instead of killing it mid-write. A second one stops at once.
 */
export function catchStopSignals(): void {
  process.on('SIGINT', onSignal).on('SIGTERM', onSignal);
}

/** How the running command stops: it exits with the code `stop` gives; at once if a stop was asked for already. */
export function stopOnSignal(stop: () => Promise<number>, log: Logger): void {
  stopCommand = () => {
    stop().then(
      (code) => process.exit(code),
      (error: unknown) => {
        log.error('could not stop cleanly', { error: errorMessage(error) });
        process.exit(1);
      },
    );
  };
  if (stopAsked) stopCommand();
}

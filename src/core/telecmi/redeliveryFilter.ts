import { BoundedMap } from '../collections/boundedMap';

export interface RedeliveryFilterOptions {
  /** How many recent event keys are remembered. */
  capacity?: number;
  /** Keys seen before this process started (the history keeps them), read on first use. */
  earlier?: () => readonly string[];
}

/**
 * TeleCMI may deliver an event twice (network retries, tunnel reconnects), and several receivers
 * may publish the same one: each key (see `eventKey`) is let through once.
 */
export function createRedeliveryFilter({ capacity = 20_000, earlier = () => [] }: RedeliveryFilterOptions = {}) {
  let seen: BoundedMap<string, true> | undefined;
  function keys(): BoundedMap<string, true> {
    if (seen) return seen;
    seen = new BoundedMap(capacity);
    for (const key of earlier().slice(-capacity)) seen.set(key, true);
    return seen;
  }

  return {
    /** True the first time a key is offered, false for a redelivery. */
    admit(key: string): boolean {
      const recent = keys();
      if (recent.has(key)) return false;
      recent.set(key, true);
      return true;
    },
    /** The event was not kept after all: its next delivery must be let through. */
    forget(key: string): void {
      keys().delete(key);
    },
    /** Reads the earlier keys now rather than at the first event. */
    load(): void {
      keys();
    },
  };
}

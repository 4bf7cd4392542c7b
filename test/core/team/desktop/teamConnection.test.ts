import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { watchNetwork } from '../../../../src/core/team/desktop/teamConnection';

describe('network watch', () => {
  beforeEach(() => void vi.useFakeTimers());
  afterEach(() => void vi.useRealTimers());

  it('reconnects once when the network comes back, not while it stays up or down', () => {
    let online = true;
    const onBack = vi.fn();
    const stop = watchNetwork(() => online, onBack, 100);
    vi.advanceTimersByTime(300);
    online = false;
    vi.advanceTimersByTime(300);
    expect(onBack).not.toHaveBeenCalled();
    online = true;
    vi.advanceTimersByTime(300);
    expect(onBack).toHaveBeenCalledTimes(1);
    stop();
  });
});

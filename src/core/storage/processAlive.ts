/** Whether a process still runs (one of another user's counts: it exists). A lock's owner that is gone left a stale lock. */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

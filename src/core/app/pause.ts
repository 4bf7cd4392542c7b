/** Pausing keeps the history and shows nothing until a moment; these are the moments offered. */
export type PauseChoice = 'hour' | 'tomorrow';

export function pauseUntil(choice: PauseChoice, now: Date): number {
  if (choice === 'hour') return now.getTime() + 60 * 60 * 1000;
  const tomorrow = new Date(now);
  tomorrow.setHours(24, 0, 0, 0);
  return tomorrow.getTime();
}

export function isPaused(pausedUntil: number | null, now: number): boolean {
  return pausedUntil !== null && now < pausedUntil;
}

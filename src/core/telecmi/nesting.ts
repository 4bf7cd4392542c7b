/**
 * How deep a TeleCMI payload may nest: its fields are flat and `custom` holds a few levels at
 * most. Deeper input is refused, or kept as text: nesting thousands deep makes every later
 * JSON.stringify throw, which would stop the history from being saved.
 */
export const maxNesting = 32;

/** Whether objects and arrays nest deeper than `limit`; iterative, so deep input cannot overflow the stack. */
export function nestsDeeperThan(value: unknown, limit = maxNesting): boolean {
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length > 0) {
    const [current, depth] = stack.pop() as [unknown, number];
    if (current === null || typeof current !== 'object') continue;
    if (depth >= limit) return true;
    for (const child of Object.values(current)) if (child !== null && typeof child === 'object') stack.push([child, depth + 1]);
  }
  return false;
}

/** A message's payload as JSON, or undefined when it is not: a stray publish must never throw. */
export function payloadJson(payload: Buffer): unknown {
  try {
    return JSON.parse(payload.toString('utf8'));
  } catch {
    return undefined;
  }
}

/**
 * Which ids and conversations a history file held when it was opened, as sorted 32-bit
 * fingerprints: 400 KB at 100,000 calls, read in one statement. Until the background reading
 * knows every call, a new call (almost every call) is told apart from a stored one here, without
 * waiting for the database: an absent fingerprint means "not stored"; a present one is looked up
 * (a collision costs one lookup, never a wrong answer).
 */
export interface KeyFingerprints {
  ids: Uint32Array;
  conversations: Uint32Array;
}

const fnvOffset = 0x811c9dc5;
const fnvPrime = 0x01000193;
const encoder = new TextEncoder();

/** FNV-1a over the text's UTF-8 bytes: what `fingerprintsOfList` computes from the file's bytes. */
export function fingerprint(text: string): number {
  let hash = fnvOffset;
  for (const byte of encoder.encode(text)) hash = Math.imul(hash ^ byte, fnvPrime);
  return hash >>> 0;
}

/**
 * The fingerprints of a list the database wrote as `<byte length>:<bytes>`, one text after another:
 * exact whatever the texts hold, and read as bytes, without making 100,000 strings.
 */
export function fingerprintsOfList(list: Uint8Array | null): Uint32Array {
  const found: number[] = [];
  const colon = 0x3a;
  const zero = 0x30;
  for (let at = 0; list && at < list.length;) {
    let length = 0;
    for (; list[at] !== colon; at += 1) length = length * 10 + (list[at] as number) - zero;
    let hash = fnvOffset;
    for (const end = (at += 1) + length; at < end; at += 1) hash = Math.imul(hash ^ (list[at] as number), fnvPrime);
    found.push(hash >>> 0);
  }
  return Uint32Array.from(found).sort();
}

/** False only when `text` was certainly not among the fingerprinted texts. */
export function mayHold(sorted: Uint32Array, text: string): boolean {
  const wanted = fingerprint(text);
  let low = 0;
  let high = sorted.length - 1;
  while (low <= high) {
    const middle = (low + high) >>> 1;
    const found = sorted[middle] as number;
    if (found === wanted) return true;
    if (found < wanted) low = middle + 1;
    else high = middle - 1;
  }
  return false;
}

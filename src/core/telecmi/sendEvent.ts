/** Posts (or GETs) one TeleCMI payload to a webhook URL, as TeleCMI would; never throws. */
import { errorMessage } from '../log/errorMessage';
export async function sendEvent(
  url: string,
  method: 'GET' | 'POST',
  payload: Record<string, string | number>,
): Promise<{ ok: boolean; answer: string }> {
  const target = new URL(url);
  if (method === 'GET') {
    for (const [key, value] of Object.entries(payload)) target.searchParams.set(key, String(value));
  }
  try {
    const response = await fetch(target, {
      method,
      ...(method === 'POST' && { headers: { 'content-type': 'application/json' }, body: JSON.stringify(payload) }),
      signal: AbortSignal.timeout(10_000),
    });
    return { ok: response.ok, answer: `${response.status} ${await response.text()}` };
  } catch (error) {
    const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : '';
    return { ok: false, answer: `failed (${errorMessage(error)}${cause})` };
  }
}

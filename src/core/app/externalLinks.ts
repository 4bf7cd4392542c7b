import type { CallRecord } from '../calls/callRecord';

/** The only links the app opens outside itself: http(s), nothing a template could turn into a command. */
export function isSafeExternalUrl(url: string): boolean {
  try {
    const { protocol } = new URL(url);
    return protocol === 'https:' || protocol === 'http:';
  } catch {
    return false;
  }
}

/** The CRM link for a call: the template with `{from}` replaced by the caller's digits, URL-encoded. */
export function crmUrlFor(template: string, call: Pick<CallRecord, 'from'>): string | undefined {
  if (!template || !call.from?.digits) return undefined;
  const url = template.replaceAll('{from}', encodeURIComponent(call.from.digits));
  return isSafeExternalUrl(url) ? url : undefined;
}

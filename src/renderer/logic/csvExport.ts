import { stringify } from 'csv-stringify/browser/esm/sync';
import type { CallRecord } from '../../core/calls/callRecord';

const columns = [
  'id',
  'conversationId',
  'state',
  'callerName',
  'from',
  'dialled',
  'agent',
  'team',
  'appId',
  'startedAt',
  'answeredAt',
  'endedAt',
  'durationSec',
  'waitedSec',
  'hangupReason',
  'answeredBy',
  'voicemail',
  'callBack',
  'calledBackBy',
  'calledBackAt',
  'custom',
] as const;

const isoTime = (time: number | undefined): string => (time === undefined ? '' : new Date(time).toISOString());

/**
 * Spreadsheets run a cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return as a
 * formula: such text is prefixed with `'`. Only the phone number columns keep a leading `+`,
 * and only when the cell is nothing but a number (`+44 20 7946 0000`).
 */
const phoneColumns = new Set(['from', 'dialled']);
const defuseFormula = (value: string, { column }: { column?: string | number }): string =>
  (phoneColumns.has(String(column)) && /^\+[\d ]+$/.test(value)) || !/^[=+\-@\t\r]/.test(value) ? value : `'${value}`;

/** The calls as CSV (RFC 4180 quoting by csv-stringify), one row per call, times in ISO 8601 UTC. */
export function callsToCsv(calls: readonly CallRecord[]): string {
  const rows = calls.map((call) => ({
    id: call.id,
    conversationId: call.conversationId,
    state: call.state,
    callerName: call.callerNames?.join('; ') ?? '',
    from: call.from?.display ?? '',
    dialled: call.dialled?.display ?? '',
    agent: call.agent ?? '',
    team: call.team ?? '',
    appId: call.appId ?? '',
    startedAt: isoTime(call.startedAt),
    answeredAt: isoTime(call.answeredAt),
    endedAt: isoTime(call.endedAt),
    durationSec: call.durationSec ?? '',
    waitedSec: call.waitedSec ?? '',
    hangupReason: call.hangupReason ?? '',
    answeredBy: call.answeredBy ?? '',
    voicemail: call.voicemail ? 'yes' : '',
    callBack: call.callBack?.state ?? '',
    calledBackBy: call.callBack?.state === 'done' ? (call.callBack.by ?? 'marked here') : '',
    calledBackAt: call.callBack?.state === 'done' ? isoTime(call.callBack.at) : '',
    custom: call.custom === undefined ? '' : typeof call.custom === 'string' ? call.custom : JSON.stringify(call.custom),
  }));
  return stringify(rows, { header: true, columns: [...columns], record_delimiter: 'windows', cast: { string: defuseFormula } });
}

import { z } from 'zod';
import { appStatusSchema } from '../app/appStatus';
import { callRecordSchema, historyChangeSchema } from '../calls/callRecord';
import { importReportSchema } from '../contacts/contactSchemas';
import { requestLogEntrySchema } from '../receiver/requestLog';
import { settingsSchema } from '../settings/settingsSchema';
import { connectionReportSchema } from '../tunnel/connectionDoctor';
import type { InvokeChannel, PushChannel } from './ipcChannels';

export { invokeChannelNames, pushChannelNames, type InvokeChannel, type PushChannel } from './ipcChannels';

/**
 * The one IPC contract between the window and the main process. Main validates every argument
 * against it and refuses foreign senders; the preload exposes exactly these channels; the
 * renderer's types come from here.
 */
const noArgs = z.tuple([]);

export const ngrokAuthtokenSchema = z
  .string()
  .trim()
  .min(10, 'paste the whole ngrok authtoken')
  .max(300, 'that is longer than an ngrok authtoken');
const outcome = z.object({ ok: z.boolean(), message: z.string() });

export const invokeChannels = {
  'calls:list': { args: noArgs, result: z.array(callRecordSchema) },
  'calls:mark-read': { args: z.tuple([z.array(z.string().max(200)).max(100_000)]), result: z.void() },
  'calls:mark-all-read': { args: noArgs, result: z.void() },
  /** A person says they called these back; answers how many were still to call back. */
  'calls:mark-called-back': { args: z.tuple([z.array(z.string().max(200)).max(10_000)]), result: z.number() },
  'calls:clear': { args: noArgs, result: z.void() },
  'calls:open-crm': { args: z.tuple([z.string().max(200)]), result: outcome },
  'calls:save-csv': { args: z.tuple([z.string().max(50_000_000)]), result: outcome },
  'settings:get': { args: noArgs, result: settingsSchema },
  /**
   * The settings the window changed, laid over the current ones (so a pause set from the tray
   * meanwhile is kept); answers the schema's messages when refused.
   */
  'settings:update': {
    args: z.tuple([z.record(z.string(), z.unknown())]),
    result: z.discriminatedUnion('ok', [
      z.object({ ok: z.literal(true), settings: settingsSchema }),
      z.object({ ok: z.literal(false), issues: z.array(z.object({ path: z.string(), message: z.string() })) }),
    ]),
  },
  'settings:regenerate-token': { args: noArgs, result: settingsSchema },
  'status:get': { args: noArgs, result: appStatusSchema },
  'request-log:list': { args: noArgs, result: z.array(requestLogEntrySchema) },
  'app:send-test-call': { args: noArgs, result: outcome },
  'app:copy-text': { args: z.tuple([z.string().max(10_000)]), result: z.void() },
  /** Write-only: the token goes in, and only "saved" ever comes back. */
  'tunnel:set-authtoken': { args: z.tuple([ngrokAuthtokenSchema]), result: outcome },
  'tunnel:clear-authtoken': { args: noArgs, result: outcome },
  'tunnel:check': { args: noArgs, result: connectionReportSchema },
  /** Write-only like the authtoken: the join code goes in; who it joined as comes back in the settings. */
  'team:join': { args: z.tuple([z.string().trim().min(1, 'paste the join code your supervisor sent').max(4096)]), result: outcome },
  'team:leave': { args: noArgs, result: outcome },
  /** Main asks for the file (the window never names a path); the report says what was read and left out. */
  'contacts:import': {
    args: noArgs,
    result: z.discriminatedUnion('ok', [
      z.object({ ok: z.literal(true), report: importReportSchema }),
      z.object({ ok: z.literal(false), message: z.string() }),
    ]),
  },
  'contacts:clear': { args: noArgs, result: outcome },
} as const satisfies Record<InvokeChannel, { args: z.ZodType; result: z.ZodType }>;

export const pushChannels = {
  'calls:changed': historyChangeSchema,
  'status:changed': appStatusSchema,
  'settings:changed': settingsSchema,
  'request-log:added': requestLogEntrySchema,
  /** A notification was clicked, or the tray asked for a view. */
  'window:show': z.object({ view: z.enum(['calls', 'call-back', 'settings', 'welcome', 'check']), callId: z.string().optional() }),
} as const satisfies Record<PushChannel, z.ZodType>;

export type InvokeArgs<C extends InvokeChannel> = z.input<(typeof invokeChannels)[C]['args']>;
export type InvokeResult<C extends InvokeChannel> = z.output<(typeof invokeChannels)[C]['result']>;
export type PushPayload<C extends PushChannel> = z.output<(typeof pushChannels)[C]>;

/** What the preload exposes as `window.telecmi`. */
export interface TelecmiBridge {
  invoke<C extends InvokeChannel>(channel: C, ...args: InvokeArgs<C>): Promise<InvokeResult<C>>;
  on<C extends PushChannel>(channel: C, listener: (payload: PushPayload<C>) => void): () => void;
}

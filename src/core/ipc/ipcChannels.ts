/**
 * The IPC channel names, apart from their schemas so the sandboxed preload can forward exactly
 * these without bundling the schemas. `ipcContract.ts` pairs each name with its schemas, and
 * the compiler holds the two lists equal.
 */
export const invokeChannelNames = [
  'calls:list',
  'calls:mark-read',
  'calls:mark-all-read',
  'calls:mark-called-back',
  'calls:clear',
  'calls:open-crm',
  'calls:save-csv',
  'settings:get',
  'settings:update',
  'settings:regenerate-token',
  'status:get',
  'request-log:list',
  'app:send-test-call',
  'app:copy-text',
  'tunnel:set-authtoken',
  'tunnel:clear-authtoken',
  'tunnel:check',
  'team:join',
  'team:leave',
  'contacts:import',
  'contacts:clear',
] as const;

export const pushChannelNames = ['calls:changed', 'status:changed', 'settings:changed', 'request-log:added', 'window:show'] as const;

export type InvokeChannel = (typeof invokeChannelNames)[number];
export type PushChannel = (typeof pushChannelNames)[number];

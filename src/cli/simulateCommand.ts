import { parseArgs } from 'node:util';
import { z } from 'zod';
import { agentLegPayload, callerLegPayload, sampleCall } from '../core/telecmi/sampleEvents';
import { sendEvent } from '../core/telecmi/sendEvent';
import { UsageError, validateOptions } from './usage';
import { toE164 } from '../core/contacts/contactNumbers';
import { countryCodeSchema } from '../core/contacts/countryCode';

export const simulateHelp = `Usage: telecmi-notifier simulate --url <webhook URL> [options]

Sends realistic TeleCMI "agent leg" events to a webhook URL, as TeleCMI would: run it against
the public tunnel URL to check the whole path end to end. A call that hangs up also sends the
caller leg's hangup, as TeleCMI does (without an answer, that makes it a missed call).

  --url U          the webhook URL, token included (required)
  --method M       POST (JSON body, default) or GET (query parameters)
  --status S       statuses to send for each call, in order: started, answered, hangup
                   (comma separated; default started)
  --count N        how many calls (default 1)
  --from NUMBER    the caller's number as people write it (+91 98765 43210, 098765 43210);
                   without a country code it is read as in --default-country (default: a
                   random Indian mobile)
  --default-country CC
                   the country of a --from number written without one (default IN)
  --user U         agent id (default 204_2222223)
  --team T         team id (default Sales_2222223)`;

const simulateOptionsSchema = z.object({
  url: z.url({ protocol: /^https?$/, error: 'must be the http(s) webhook URL' }),
  method: z.enum(['GET', 'POST']).default('POST'),
  statuses: z.array(z.enum(['started', 'answered', 'hangup'])).min(1),
  count: z.coerce.number().int().min(1).max(10_000).default(1),
  defaultCountry: countryCodeSchema.default('IN'),
  from: z.string().optional(),
  user: z.string().min(1).optional(),
  team: z.string().min(1).optional(),
});
type SimulateOptions = z.infer<typeof simulateOptionsSchema>;

export async function simulateCommand(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      url: { type: 'string' },
      method: { type: 'string' },
      status: { type: 'string' },
      count: { type: 'string' },
      from: { type: 'string' },
      'default-country': { type: 'string' },
      user: { type: 'string' },
      team: { type: 'string' },
    },
  });
  const options = validateOptions(
    simulateOptionsSchema,
    {
      ...values,
      defaultCountry: values['default-country'],
      method: values.method?.toUpperCase(),
      statuses: (values.status ?? 'started').split(',').map((status) => status.trim()),
    },
    { statuses: '--status' },
  );
  // TeleCMI sends the caller country code first, digits only.
  const from = options.from === undefined ? undefined : toE164(options.from, options.defaultCountry)?.slice(1);
  if (options.from !== undefined && !from) throw new UsageError(`--from ${JSON.stringify(options.from)}: must be a phone number`);
  let failures = 0;
  for (let index = 0; index < options.count; index += 1) {
    failures += await simulateCall({ ...options, from });
  }
  if (failures > 0) {
    console.error(`telecmi-notifier: ${failures} request(s) were not accepted`);
    process.exitCode = 1;
  }
}

/** Sends one call's events in order; returns how many were not accepted. */
async function simulateCall(options: SimulateOptions): Promise<number> {
  const call = sampleCall({
    ...(options.from && { from: options.from }),
    ...(options.user && { user: options.user }),
    ...(options.team && { team: options.team }),
  });
  let failures = 0;
  const startedAt = Date.now();
  const events = options.statuses.map((status, step): { label: string; payload: Record<string, string | number> } => ({
    label: status,
    payload: agentLegPayload(call, status, startedAt + step * 1000),
  }));
  if (options.statuses.includes('hangup')) {
    events.push({ label: 'caller hangup', payload: callerLegPayload(call, 'hangup', startedAt + options.statuses.length * 1000) });
  }
  for (const { label, payload } of events) {
    const { ok, answer } = await sendEvent(options.url, options.method, payload);
    process.stdout.write(`${options.method} ${label} ${call.callId} -> ${answer}\n`);
    if (!ok) failures += 1;
  }
  return failures;
}

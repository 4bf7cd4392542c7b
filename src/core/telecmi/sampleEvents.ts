/** Realistic TeleCMI payloads, shaped like the documented samples, for `simulate` and test calls. */

export type AgentLegStatus = 'started' | 'answered' | 'hangup';

export interface SampleCall {
  callId: string;
  conversationId: string;
  /** The caller, country code first, digits only. */
  from: string;
  user: string;
  team: string;
  appId: number;
  custom: Record<string, string>;
}

export function sampleCall(overrides: Partial<SampleCall> = {}): SampleCall {
  return {
    callId: crypto.randomUUID(),
    conversationId: crypto.randomUUID(),
    from: `9198${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`,
    user: '204_2222223',
    team: 'Sales_2222223',
    appId: 2222223,
    custom: { source: 'simulate' },
    ...overrides,
  };
}

/** The agent leg (leg B) event TeleCMI posts when the agent's phone rings, answers or hangs up. */
export function agentLegPayload(call: SampleCall, status: AgentLegStatus, time: number): Record<string, string | number> {
  return {
    leg: 'b',
    type: 'event',
    team: call.team,
    user: call.user,
    conversation_uuid: call.conversationId,
    cmiuuid: call.callId,
    direction: 'outbound',
    from: call.from,
    app_id: call.appId,
    time,
    custom: JSON.stringify(call.custom),
    status,
  };
}

/** The caller leg (leg A) of the same conversation: `hangup` when the caller gives up or the call ends. */
export function callerLegPayload(
  call: SampleCall,
  status: 'waiting' | 'answered' | 'hangup',
  time: number,
): Record<string, string | number> {
  return {
    type: 'event',
    direction: 'inbound',
    conversation_uuid: call.conversationId,
    cmiuuid: call.conversationId,
    from: call.from,
    to: '918000000000',
    app_id: call.appId,
    time,
    custom: JSON.stringify(call.custom),
    status,
  };
}

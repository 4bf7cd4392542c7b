/**
 * The topics of team mode: one per agent and one per team under the TeleCMI app, each receiver's
 * retained status, each desktop's retained presence, and the enrolment of a join code. The
 * broker's rights grant each agent exactly its own and its teams'.
 */
export const topics = {
  agent: (appId: number | string, agent: string): string => `telecmi/${appId}/agent/${agent}`,
  team: (appId: number | string, team: string): string => `telecmi/${appId}/team/${team}`,
  /** One per receiver (several may serve one team behind one URL); `+` for all of them. */
  receiverStatus: (receiver: string): string => `telecmi/status/receiver/${receiver}`,
  /** One per desktop, by its broker user. */
  presence: (username: string): string => `telecmi/presence/${username}`,
  allPresences: 'telecmi/presence/+',
  enrolRequest: (invite: string): string => `telecmi/enrol/${invite}/request`,
  enrolResponse: (invite: string): string => `telecmi/enrol/${invite}/response`,
  allEnrolRequests: 'telecmi/enrol/+/request',
};

/**
 * The topics of team mode: one per agent and one per team under the TeleCMI app, and the
 * receiver's retained status. Mosquitto's ACL grants each agent exactly its own and its teams'.
 */
export const topics = {
  agent: (appId: number | string, agent: string): string => `telecmi/${appId}/agent/${agent}`,
  team: (appId: number | string, team: string): string => `telecmi/${appId}/team/${team}`,
  receiverStatus: 'telecmi/status/receiver',
};

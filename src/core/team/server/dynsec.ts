import { pbkdf2Sync, randomBytes } from 'node:crypto';
import { writeFileAtomic } from '../../storage/atomicFile';
import { inviteIdentity } from '../teamNames';
import { topics } from '../topics';
import type { StoredPassword, TeamFile } from './teamFile';
import { teamPaths } from './teamFile';

/**
 * The broker's users and rights, kept by Mosquitto's dynamic security plugin and changed while it
 * runs (no restart, no desktop of another agent disconnected). Made from team.json: written as the
 * plugin's file while the broker is down, sent as commands while it runs.
 */

/** The plugin's own hash: PBKDF2-SHA512 over a 12-byte salt (another length is silently refused). */
export function hashPassword(password: string, salt = randomBytes(12), iterations = 101): StoredPassword {
  return { hash: pbkdf2Sync(password, salt, iterations, 64, 'sha512').toString('base64'), salt: salt.toString('base64'), iterations };
}

/** A password of 192 random bits, URL-safe. */
export const newSecret = (): string => randomBytes(24).toString('base64url');

export interface DynsecAcl {
  acltype: 'publishClientSend' | 'publishClientReceive' | 'subscribePattern' | 'unsubscribePattern';
  topic: string;
  allow: boolean;
}
export interface DynsecRole {
  rolename: string;
  acls: DynsecAcl[];
}
export interface DynsecClient {
  username: string;
  password: StoredPassword;
  roles: string[];
  /** A device may connect only with its own client id (its persistent session). */
  clientid?: string;
}

const allow = (acltype: DynsecAcl['acltype'], topic: string): DynsecAcl => ({ acltype, topic, allow: true });
/** Subscribe to and receive a topic. */
const reads = (topic: string): DynsecAcl[] => [
  allow('subscribePattern', topic),
  allow('publishClientReceive', topic),
  allow('unsubscribePattern', topic),
];

export const roleNames = {
  receiver: 'telecmi-receiver',
  agent: (agent: string) => `agent-${agent}`,
  device: (id: string) => `device-${id}`,
  invite: (id: string) => `invite-${id}`,
};

/** Mosquitto's count of messages it dropped (a session's queue full), every `sys_interval`. */
export const brokerDroppedTopic = '$SYS/broker/publish/messages/dropped';

/**
 * The receiver publishes calls and statuses, reads presences, enrolment requests and the broker's
 * dropped count, and changes users (it lets desktops in).
 */
function receiverRole(): DynsecRole {
  return {
    rolename: roleNames.receiver,
    acls: [
      allow('publishClientSend', 'telecmi/#'),
      ...reads('telecmi/#'),
      allow('publishClientSend', '$CONTROL/dynamic-security/#'),
      ...reads('$CONTROL/dynamic-security/#'),
      ...reads(brokerDroppedTopic),
    ],
  };
}

/**
 * An agent's desktops read its own topic and its teams' (under any app id) and the receivers'
 * statuses. They subscribe to every team topic and receive only their teams': a team changed is
 * a role changed, never a desktop told anew.
 */
export function agentRole(agent: string, teams: readonly string[]): DynsecRole {
  return {
    rolename: roleNames.agent(agent),
    acls: [
      ...reads(topics.agent('+', agent)),
      allow('subscribePattern', topics.team('+', '+')),
      allow('unsubscribePattern', topics.team('+', '+')),
      ...teams.map((team) => allow('publishClientReceive', topics.team('+', team))),
      ...reads(topics.receiverStatus('+')),
    ],
  };
}

/** One desktop: its presence (retained, with a last will), which it also reads to notice a copy of itself. */
const deviceRole = (username: string, id: string): DynsecRole => ({
  rolename: roleNames.device(id),
  acls: [allow('publishClientSend', topics.presence(username)), ...reads(topics.presence(username))],
});

/** A join code not used yet: it may only ask to be let in, and hear the answer. */
const inviteRole = (id: string): DynsecRole => ({
  rolename: roleNames.invite(id),
  acls: [allow('publishClientSend', topics.enrolRequest(id)), ...reads(topics.enrolResponse(id))],
});

/** A join code's broker client, but its password. */
export function inviteClient(id: string): Omit<DynsecClient, 'password'> {
  const { username, clientId } = inviteIdentity(id);
  return { username, clientid: clientId, roles: [roleNames.invite(id)] };
}

/** What the broker must know of this team: every role and client, from team.json. */
export function desiredState(team: TeamFile): { roles: DynsecRole[]; clients: DynsecClient[] } {
  const roles = [
    receiverRole(),
    ...team.agents.map(({ agent, teams }) => agentRole(agent, teams)),
    ...team.devices.map(({ username, id }) => deviceRole(username, id)),
    ...team.invites.map(({ id }) => inviteRole(id)),
  ];
  const clients: DynsecClient[] = [
    { username: team.receiver.username, password: hashPassword(team.receiver.password), roles: [roleNames.receiver] },
    ...team.devices.map((device) => ({
      username: device.username,
      password: device.password,
      roles: [roleNames.agent(device.agent), roleNames.device(device.id)],
      clientid: device.clientId,
    })),
    ...team.invites.map(({ id, password }) => ({ ...inviteClient(id), password })),
  ];
  return { roles, clients };
}

/** The plugin's file for this team, written while the broker is down (it reads it at start, and keeps it after). */
export function writeDynsecFile(dir: string, team: TeamFile, mode = 0o600): void {
  const { roles, clients } = desiredState(team);
  const file = {
    clients: clients.map(({ username, password, roles: names, clientid }) => ({
      username,
      password: password.hash,
      salt: password.salt,
      iterations: password.iterations,
      roles: names.map((rolename) => ({ rolename })),
      ...(clientid && { clientid }),
    })),
    groups: [],
    roles: roles.map(({ rolename, acls }) => ({ rolename, acls: acls.map((acl) => ({ ...acl, priority: 0 })) })),
    defaultACLAccess: { publishClientSend: false, publishClientReceive: false, subscribe: false, unsubscribe: false },
  };
  writeFileAtomic(teamPaths(dir).dynsec, `${JSON.stringify(file, null, 2)}\n`, mode);
}

import { randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import type { Logger } from '../../log/logger';
import { makePrivateFolder } from '../../storage/privateFolder';
import { encodeJoinCode } from '../joinCode';
import { agentNameSchema, receiverUsername, teamNameSchema } from '../teamNames';
import { blockedAncestor, findDynsecPlugin, isLoopback, systemUser, writeBrokerConfig } from './brokerFiles';
import { hashPassword, inviteClient, newSecret, roleNames, writeDynsecFile } from './dynsec';
import { applyToBroker, connectToTeamBroker, controlOver, type NewClient } from './dynsecControl';
import { makeBrokerFolders, readTeam, teamPaths, withTeamLock, writeTeamFile, type TeamDevice, type TeamFile } from './teamFile';

/** Join codes expire a week after they are made. */
export const inviteLifetimeMs = 7 * 24 * 3600_000;

export const usedAlready = 'this join code was used already, or revoked: ask your supervisor for a new one';

/** Refused: a mistake in what was asked (not the environment). */
export class TeamRefusal extends Error {}

export interface InitOptions {
  publicHost: string;
  mqttPort: number;
  wsPort: number;
  tls?: { cert: string; key: string; ca?: string };
  insecure: boolean;
  appId?: number;
  pluginPath?: string;
}

/**
 * Makes a team folder: team.json, the broker's config and users, no agents yet. Never in a folder
 * that holds anything it did not make; TLS unless the broker is on loopback or `insecure` says so.
 */
export function initTeam(dir: string, options: InitOptions): TeamFile {
  if (existsSync(teamPaths(dir).team))
    throw new TeamRefusal(`${dir} already holds a team (team.json): use "team add-agent", or another --dir`);
  if (existsSync(dir) && readdirSync(dir).length > 0) throw new TeamRefusal(`${dir} is not empty: give team init a new or empty folder`);
  if (!options.tls && !options.insecure && !isLoopback(options.publicHost)) {
    throw new TeamRefusal(
      `desktops reach ${options.publicHost} over the network: give --tls-cert and --tls-key (wss://), or --insecure to send passwords and callers' numbers in clear`,
    );
  }
  const pluginPath = options.pluginPath ?? findDynsecPlugin();
  if (!pluginPath || !existsSync(pluginPath)) {
    throw new TeamRefusal(
      "Mosquitto's dynamic security plugin (mosquitto_dynamic_security) was not found: install Mosquitto 2, or give its path with --dynsec-plugin",
    );
  }
  const asRoot = process.getuid?.() === 0;
  const brokerUser = asRoot ? ['mosquitto', 'nobody'].find((name) => systemUser(name)) : userInfo().username;
  if (!brokerUser)
    throw new TeamRefusal('running as root, but there is no unprivileged "mosquitto" user for the broker to run as: create one');
  makePrivateFolder(dir);
  const blocked = asRoot && blockedAncestor(dir, systemUser(brokerUser) as { uid: number; gid: number });
  if (blocked) {
    throw new TeamRefusal(
      `the broker runs as "${brokerUser}", which cannot pass through ${blocked} to reach ${dir}: choose a folder such as /var/lib/telecmi-team, or let others through with "chmod o+x ${blocked}"`,
    );
  }
  makeBrokerFolders(dir);
  const tls = options.tls && copyCertificates(dir, options.tls);
  const team: TeamFile = {
    v: 2,
    ...(options.appId && { appId: options.appId }),
    publicHost: options.publicHost,
    mqttPort: options.mqttPort,
    wsPort: options.wsPort,
    ...(tls && { tls }),
    insecure: !options.tls && !isLoopback(options.publicHost),
    brokerUser,
    pluginPath,
    receiver: { username: receiverUsername, password: newSecret() },
    agents: [],
    invites: [],
    devices: [],
  };
  writeTeamFile(dir, team);
  writeDynsecFile(dir, team);
  writeBrokerConfig(dir, team, pluginPath);
  return team;
}

/** The certificate files, copied into the broker's folder: the team keeps working when the originals move. */
function copyCertificates(dir: string, files: { cert: string; key: string; ca?: string }): { cert: string; key: string; ca?: string } {
  const tls = teamPaths(dir).tls;
  mkdirSync(tls, { recursive: true, mode: 0o700 });
  const copied = { cert: 'server.crt', key: 'server.key', ...(files.ca && { ca: 'ca.crt' }) };
  copyFileSync(files.cert, join(tls, copied.cert));
  copyFileSync(files.key, join(tls, copied.key));
  if (files.ca && copied.ca) copyFileSync(files.ca, join(tls, copied.ca));
  return copied;
}

export const brokerUrlOf = (team: TeamFile): string => `${team.tls ? 'wss' : 'ws'}://${team.publicHost}:${team.wsPort}`;

/** `204` is completed with the team's app id (`204_2222223`); without one it is refused, since TeleCMI never sends it so. */
export function fullId(team: TeamFile, id: string, what: 'agent' | 'team'): string {
  const valid = (what === 'agent' ? agentNameSchema : teamNameSchema).safeParse(id);
  if (!valid.success) throw new TeamRefusal(`--${what} ${JSON.stringify(id)}: ${valid.error.issues[0]?.message}`);
  if (/_\d+$/.test(id)) return id;
  if (team.appId) return `${id}_${team.appId}`;
  throw new TeamRefusal(
    `--${what} ${id}: TeleCMI writes ${what} ids with the app id (${id}_2222223): write it so, or give "team init --app-id"`,
  );
}

/** A new single-use join code for one desktop of an agent; its secret is shown once (the team keeps its hash). */
function newInvite(team: TeamFile, agent: string, now: number) {
  const secret = newSecret();
  const invite = {
    id: randomBytes(8).toString('hex'),
    agent,
    password: hashPassword(secret),
    expiresAt: now + inviteLifetimeMs,
    createdAt: now,
  };
  const client: NewClient = { ...inviteClient(invite.id), password: secret };
  return { team: { ...team, invites: [...team.invites, invite] }, invite, client };
}

export interface Applied<T> {
  result: T;
  /** `broker`: the running broker has it now; `files`: it reads it when it starts. */
  applied: 'broker' | 'files';
}

/**
 * One change of the team, under the folder's lock: the running broker brought to it first (a
 * broker that refuses leaves team.json as it was), then team.json written; with the broker down,
 * its files are written instead. The next change starts only after.
 */
export async function changeTeam<T>(
  dir: string,
  log: Logger,
  change: (team: TeamFile) => { team: TeamFile; created?: NewClient[]; result: T },
): Promise<Applied<T>> {
  return withTeamLock(dir, async () => {
    const { team, created = [], result } = change(readTeam(dir));
    const client = await connectToTeamBroker(team, log);
    if (client) {
      try {
        await applyToBroker(controlOver(client), team, created, log);
      } finally {
        await client.endAsync();
      }
    }
    writeTeamFile(dir, team);
    if (!client) writeDynsecFile(dir, team);
    // After the plugin's file: run as root, this hands the broker's files to its user.
    writeBrokerConfig(dir, team, team.pluginPath);
    return { result, applied: client ? ('broker' as const) : ('files' as const) };
  });
}

/** The join code of an invite: the broker's address, the private CA if any, and the invitation. */
function joinCodeOf(dir: string, team: TeamFile, invite: { id: string; agent: string; expiresAt: number }, secret: string): string {
  const ca = team.tls?.ca ? readFileSync(join(teamPaths(dir).tls, team.tls.ca), 'utf8') : undefined;
  return encodeJoinCode({
    v: 2,
    url: brokerUrlOf(team),
    ...(ca && { ca }),
    invite: invite.id,
    secret,
    agent: invite.agent,
    expiresAt: invite.expiresAt,
  });
}

/** Adds an agent (or changes its teams and name) and issues a join code for its first desktop. */
export async function addAgent(
  dir: string,
  log: Logger,
  request: { agent: string; teams: readonly string[]; name?: string },
  now = Date.now(),
) {
  return changeTeam(dir, log, (current) => {
    const agent = fullId(current, request.agent, 'agent');
    const teams = request.teams.map((team) => fullId(current, team, 'team'));
    const known = current.agents.find((each) => each.agent === agent);
    const entry = {
      agent,
      ...((request.name ?? known?.name) && { name: request.name ?? known?.name }),
      teams,
      addedAt: known?.addedAt ?? now,
    };
    const withAgent = { ...current, agents: [...current.agents.filter((each) => each.agent !== agent), entry] };
    const { team, invite, client } = newInvite(withAgent, agent, now);
    const joinCode = joinCodeOf(dir, team, invite, client.password);
    return { team, created: [client], result: { agent, teams, name: entry.name, joinCode, expiresAt: invite.expiresAt } };
  });
}

/** Another join code for an agent's next desktop. */
export async function inviteAgent(dir: string, log: Logger, request: { agent: string }, now = Date.now()) {
  return changeTeam(dir, log, (current) => {
    const agent = fullId(current, request.agent, 'agent');
    if (!current.agents.some((each) => each.agent === agent))
      throw new TeamRefusal(`no agent ${agent} in this team: add it with "team add-agent"`);
    const { team, invite, client } = newInvite(current, agent, now);
    return {
      team,
      created: [client],
      result: { agent, joinCode: joinCodeOf(dir, team, invite, client.password), expiresAt: invite.expiresAt },
    };
  });
}

/** Removes an agent, its desktops and its join codes: connected desktops are cut off at once. */
export async function removeAgent(dir: string, log: Logger, request: { agent: string }) {
  return changeTeam(dir, log, (current) => {
    const agent = fullId(current, request.agent, 'agent');
    if (!current.agents.some((each) => each.agent === agent)) throw new TeamRefusal(`no agent ${agent} in this team`);
    const devices = current.devices.filter((device) => device.agent === agent);
    const team = {
      ...current,
      agents: current.agents.filter((each) => each.agent !== agent),
      invites: current.invites.filter((invite) => invite.agent !== agent),
      devices: current.devices.filter((device) => device.agent !== agent),
    };
    return { team, result: { agent, devices: devices.map((device) => device.id) } };
  });
}

/** Revokes one desktop: it is cut off at once; its agent's other desktops go on. */
export async function revokeDevice(dir: string, log: Logger, request: { device: string }) {
  return changeTeam(dir, log, (current) => {
    const device = current.devices.find((each) => each.id === request.device || each.username === request.device);
    if (!device) throw new TeamRefusal(`no desktop ${request.device} in this team: "team devices" lists them`);
    return {
      team: { ...current, devices: current.devices.filter((each) => each !== device) },
      result: { device: device.id, agent: device.agent },
    };
  });
}

/** A used join code's broker user goes, once its desktop has its answer (which disconnects that enrolment). */
export async function forgetInvite(dir: string, log: Logger, invite: string) {
  return changeTeam(dir, log, (current) => ({
    team: { ...current, invites: current.invites.filter((each) => each.id !== invite) },
    result: invite,
  }));
}

/** Drops the join codes past their time (and their broker users). */
export async function dropExpiredInvites(dir: string, log: Logger, now = Date.now()) {
  return changeTeam(dir, log, (current) => {
    // A used one lingers only when its desktop never had its answer (the receiver stopped meanwhile).
    const stale = (invite: TeamFile['invites'][number]): boolean => invite.expiresAt <= now || (invite.usedAt ?? Infinity) < now - 60_000;
    return {
      team: { ...current, invites: current.invites.filter((invite) => !stale(invite)) },
      result: current.invites.filter(stale).length,
    };
  });
}

export interface EnrolledDevice {
  device: TeamDevice;
  password: string;
  teams: string[];
}

/** Trades a join code for a desktop's own credentials, once (the invite used up): a user of its own, revoked alone. */
export async function enrolDevice(dir: string, log: Logger, request: { invite: string; label: string; usedBy: string }, now = Date.now()) {
  return changeTeam(dir, log, (current) => {
    const invite = current.invites.find((each) => each.id === request.invite);
    if (!invite || invite.usedAt !== undefined)
      return { team: current, result: { refused: usedAlready } as EnrolledDevice | { refused: string } };
    // Used up now; its broker user stays until the desktop has its answer (`forgetInvite`).
    const usedUp = { ...invite, usedAt: now, usedBy: request.usedBy };
    const withoutInvite = { ...current, invites: current.invites.map((each) => (each === invite ? usedUp : each)) };
    if (invite.expiresAt <= now)
      return { team: withoutInvite, result: { refused: 'this join code has expired: ask your supervisor for a new one' } };
    const agent = current.agents.find((each) => each.agent === invite.agent);
    if (!agent) return { team: withoutInvite, result: { refused: 'this agent is no longer in the team' } };
    const id = randomBytes(8).toString('hex');
    const password = newSecret();
    const device: TeamDevice = {
      id,
      agent: invite.agent,
      username: `device-${id}`,
      clientId: `telecmi-desktop-${id}`,
      password: hashPassword(password),
      label: request.label,
      addedAt: now,
    };
    const team = { ...withoutInvite, devices: [...withoutInvite.devices, device] };
    const client: NewClient = {
      username: device.username,
      password,
      roles: [roleNames.agent(device.agent), roleNames.device(id)],
      clientid: device.clientId,
    };
    return { team, created: [client], result: { device, password, teams: agent.teams } as EnrolledDevice | { refused: string } };
  });
}

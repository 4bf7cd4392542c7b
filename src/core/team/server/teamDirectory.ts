import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { writeFileAtomic } from '../../storage/atomicFile';
import { makePrivateFolder } from '../../storage/privateFolder';
import { mosquittoAcl, mosquittoConf, mosquittoPasswordLine } from './brokerFiles';
import { encodeJoinCode } from '../joinCode';
import { agentDisplayNameSchema, agentNameSchema, receiverUsername, teamNameSchema } from '../teamNames';

const port = z.number().int().min(1).max(65535);

/** team.json: the broker's settings and who may connect. Agents' passwords are kept only as hashes. */
export const teamFileSchema = z.object({
  v: z.literal(1),
  mqttPort: port,
  wsPort: port,
  /** The host desktops reach the broker at. */
  publicHost: z.string().min(1),
  receiverPassword: z.string().min(16),
  agents: z.array(
    z.object({
      agent: agentNameSchema,
      /** How colleagues see this agent: "Answered by Ravi Kumar". */
      name: agentDisplayNameSchema.optional(),
      teams: z.array(teamNameSchema),
      passwordHash: z.string(),
      addedAt: z.number(),
    }),
  ),
});
export type TeamFile = z.infer<typeof teamFileSchema>;

/** A password of 192 random bits, URL-safe. */
const newPassword = (): string => randomBytes(24).toString('base64url');

const files = (dir: string) => ({
  team: join(dir, 'team.json'),
  conf: join(dir, 'mosquitto.conf'),
  passwd: join(dir, 'passwd'),
  acl: join(dir, 'acl'),
  brokerData: join(dir, 'broker-data'),
});

export const teamPaths = files;

/** The command that starts this team's broker. */
export const startBrokerCommand = (dir: string): string => `mosquitto -c ${files(dir).conf}`;

/** Makes a team folder: broker config, receiver credentials, no agents yet. Never overwrites one. */
export function initTeam({
  dir,
  mqttPort,
  wsPort,
  publicHost,
}: {
  dir: string;
  mqttPort: number;
  wsPort: number;
  publicHost: string;
}): TeamFile {
  if (existsSync(files(dir).team)) throw new Error(`${dir} already holds a team (team.json): use "team add-agent", or another --dir`);
  const team = teamFileSchema.parse({ v: 1, mqttPort, wsPort, publicHost, receiverPassword: newPassword(), agents: [] });
  writeTeam(dir, team);
  return team;
}

export function readTeam(dir: string): TeamFile {
  if (!existsSync(files(dir).team)) throw new Error(`${dir} holds no team: run "telecmi-notifier team init --dir ${dir}" first`);
  let stored: unknown;
  try {
    stored = JSON.parse(readFileSync(files(dir).team, 'utf8'));
  } catch (error) {
    // JSON.parse quotes the text around the fault, which may be the receiver's password.
    if (error instanceof SyntaxError)
      throw new Error(`${files(dir).team} is not valid JSON: restore it from a backup, or run "team init" in a new folder`);
    throw error;
  }
  const parsed = teamFileSchema.safeParse(stored);
  if (!parsed.success) throw new Error(`${files(dir).team} is not a valid team file: ${parsed.error.issues[0]?.message}`);
  return parsed.data;
}

/** Writes team.json and the broker's files from it, readable by this user only. */
export function writeTeam(dir: string, team: TeamFile): void {
  makePrivateFolder(dir);
  const paths = files(dir);
  mkdirSync(paths.brokerData, { recursive: true, mode: 0o700 });
  const local = ['127.0.0.1', 'localhost', '::1'].includes(team.publicHost);
  writeFileAtomic(
    paths.conf,
    mosquittoConf({
      dir,
      mqttPort: team.mqttPort,
      wsPort: team.wsPort,
      wsBind: local ? '127.0.0.1' : '0.0.0.0',
      runAs: process.platform === 'win32' ? undefined : userInfo().username,
    }),
  );
  writeFileAtomic(
    paths.passwd,
    [
      mosquittoPasswordLine(receiverUsername, team.receiverPassword),
      ...team.agents.map((agent) => `${agent.agent}:${agent.passwordHash}`),
      '',
    ].join('\n'),
  );
  writeFileAtomic(paths.acl, mosquittoAcl(team.agents));
  writeFileAtomic(paths.team, `${JSON.stringify(team, null, 2)}\n`);
}

/** Adds an agent (or gives an existing one a new password): the join code is shown once, never stored. */
export function addAgent(team: TeamFile, agent: string, teams: readonly string[], name?: string): { team: TeamFile; joinCode: string } {
  const password = newPassword();
  const passwordHash = mosquittoPasswordLine(agent, password).slice(agent.length + 1);
  const agents = [
    ...team.agents.filter((each) => each.agent !== agent),
    { agent, ...(name && { name }), teams: [...teams], passwordHash, addedAt: Date.now() },
  ];
  const joinCode = encodeJoinCode({
    v: 1,
    url: `ws://${team.publicHost}:${team.wsPort}`,
    username: agent,
    password,
    agent,
    teams: [...teams],
  });
  return { team: { ...team, agents }, joinCode };
}

export function removeAgent(team: TeamFile, agent: string): TeamFile {
  if (!team.agents.some((each) => each.agent === agent)) throw new Error(`no agent ${agent} in this team`);
  return { ...team, agents: team.agents.filter((each) => each.agent !== agent) };
}

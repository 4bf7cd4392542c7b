import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { writeFileAtomic } from '../../storage/atomicFile';
import { agentDisplayNameSchema, agentNameSchema, teamNameSchema } from '../teamNames';
import { isRunning } from '../../storage/processAlive';

const port = z.number().int().min(1).max(65535);

/** A password as Mosquitto's dynamic security plugin keeps it: PBKDF2-SHA512 of the password and a 12-byte salt. */
export const storedPasswordSchema = z.object({ hash: z.string(), salt: z.string(), iterations: z.number().int().positive() });
export type StoredPassword = z.infer<typeof storedPasswordSchema>;

/**
 * team.json: the team as the server knows it, the one source the broker's users and rights are
 * made from. Devices' and invites' passwords are kept only as the broker's hashes; the receiver's
 * in clear (it connects with it), readable by this user only.
 */
export const teamFileSchema = z.object({
  v: z.literal(2),
  /** TeleCMI's app id: completes a short agent id (`204` -> `204_2222223`). */
  appId: z.number().int().positive().optional(),
  /** The host desktops reach the broker at. */
  publicHost: z.string().min(1),
  /** The broker's MQTT listener, on loopback: the receiver and the team commands use it. */
  mqttPort: port,
  /** The desktops' WebSocket listener: TLS (`wss://`) unless on loopback or `insecure`. */
  wsPort: port,
  /** The certificate files, copied into the folder (`tls/`); `ca` only for a private CA, which join codes then carry. */
  tls: z.object({ cert: z.string(), key: z.string(), ca: z.string().optional() }).optional(),
  /** Plain `ws://` on a host that is not loopback, asked for explicitly: every output warns. */
  insecure: z.boolean().default(false),
  /** The user the broker runs as when started as root: `mosquitto` for a team made by root, else the one who made it. */
  brokerUser: z.string(),
  /** Mosquitto's dynamic security plugin, as found when the team was made. */
  pluginPath: z.string(),
  receiver: z.object({ username: z.string(), password: z.string().min(16) }),
  agents: z.array(
    z.object({
      agent: agentNameSchema,
      /** How colleagues see this agent: "Answered by Ravi Kumar". */
      name: agentDisplayNameSchema.optional(),
      teams: z.array(teamNameSchema),
      addedAt: z.number(),
    }),
  ),
  /** Join codes: each one lets one desktop of its agent in, once, before it expires. */
  invites: z.array(
    z.object({
      id: z.string(),
      agent: agentNameSchema,
      password: storedPasswordSchema,
      expiresAt: z.number(),
      createdAt: z.number(),
      /** Traded for a desktop's credentials: kept only until the desktop has its answer. */
      usedAt: z.number().optional(),
      /** The key of the desktop that used it (a hash): another receiver of the team knows that request was answered. */
      usedBy: z.string().optional(),
    }),
  ),
  /** The desktops let in: each with credentials of its own, revoked alone. */
  devices: z.array(
    z.object({
      id: z.string(),
      agent: agentNameSchema,
      username: z.string(),
      clientId: z.string(),
      password: storedPasswordSchema,
      /** What the desktop said it was (its computer's name). */
      label: z.string().max(100),
      addedAt: z.number(),
    }),
  ),
});
export type TeamFile = z.infer<typeof teamFileSchema>;
export type TeamDevice = TeamFile['devices'][number];

export const teamPaths = (dir: string) => ({
  team: join(dir, 'team.json'),
  lock: join(dir, 'team.lock'),
  conf: join(dir, 'mosquitto.conf'),
  /** What the broker reads and writes as its own (unprivileged) user. */
  broker: join(dir, 'broker'),
  dynsec: join(dir, 'broker', 'dynamic-security.json'),
  brokerData: join(dir, 'broker', 'data'),
  tls: join(dir, 'broker', 'tls'),
  log: join(dir, 'broker', 'mosquitto.log'),
});

export function readTeam(dir: string): TeamFile {
  const file = teamPaths(dir).team;
  if (!existsSync(file)) throw new Error(`${dir} holds no team: run "telecmi-notifier team init --dir ${dir}" first`);
  let stored: unknown;
  try {
    stored = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    // JSON.parse quotes the text around the fault, which may be the receiver's password.
    if (error instanceof SyntaxError)
      throw new Error(`${file} is not valid JSON: restore it from a backup, or run "team init" in a new folder`);
    throw error;
  }
  if ((stored as { v?: unknown } | null)?.v === 1) {
    throw new Error(
      `${file} was made by an earlier version, whose join codes are shared passwords: run "team init" in a new folder and invite the agents again`,
    );
  }
  const parsed = teamFileSchema.safeParse(stored);
  if (!parsed.success) throw new Error(`${file} is not a valid team file: ${parsed.error.issues[0]?.message}`);
  return parsed.data;
}

export function writeTeamFile(dir: string, team: TeamFile): void {
  writeFileAtomic(teamPaths(dir).team, `${JSON.stringify(teamFileSchema.parse(team), null, 2)}\n`);
}

const lockWaitMs = 10_000;
const staleLockMs = 30_000;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs a change of the team folder under its lock (`team.lock`, made exclusively): concurrent
 * commands and the receiver's enrolments take turns, each reading what the last one wrote and
 * applying it to the broker before the next. A lock whose process is gone, or older than 30 s, is
 * taken over, by one waiter at a time.
 */
export async function withTeamLock<T>(dir: string, change: () => Promise<T>): Promise<T> {
  const lock = teamPaths(dir).lock;
  const started = Date.now();
  while (!tryLock(lock)) {
    if (isStale(lock)) takeOver(lock);
    else if (Date.now() - started > lockWaitMs) throw new Error(`the team folder is busy (another team command holds ${lock}): try again`);
    else await sleep(10 + Math.random() * 40);
  }
  try {
    return await change();
  } finally {
    rmSync(lock, { force: true });
  }
}

/** Made with this process's id in it, or false when another holds it. */
function tryLock(lock: string): boolean {
  let fd: number;
  try {
    fd = openSync(lock, 'wx', 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
  try {
    writeSync(fd, String(process.pid));
  } finally {
    closeSync(fd);
  }
  return true;
}

function isStale(lock: string): boolean {
  const owner = Number(readLockOwner(lock));
  return (owner > 0 && !isRunning(owner)) || Date.now() - statOrNow(lock) > staleLockMs;
}

/**
 * Removes a stale lock under a second one, looking again once it holds that: two waiters that both
 * saw it stale must not each remove it (the second would remove the first's new lock).
 */
function takeOver(lock: string): void {
  const takeover = `${lock}.takeover`;
  if (!tryLock(takeover)) {
    if (Date.now() - statOrNow(takeover) > 5000) rmSync(takeover, { force: true });
    return;
  }
  try {
    if (isStale(lock)) rmSync(lock, { force: true });
  } finally {
    rmSync(takeover, { force: true });
  }
}

function readLockOwner(lock: string): string {
  try {
    return readFileSync(lock, 'utf8');
  } catch {
    return '';
  }
}

function statOrNow(lock: string): number {
  try {
    return statSync(lock).mtimeMs;
  } catch {
    return Date.now();
  }
}

/** The folders the broker writes in. */
export function makeBrokerFolders(dir: string): void {
  const paths = teamPaths(dir);
  for (const folder of [paths.broker, paths.brokerData, paths.tls]) mkdirSync(folder, { recursive: true, mode: 0o700 });
}

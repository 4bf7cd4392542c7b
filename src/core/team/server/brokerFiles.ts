import { chmodSync, chownSync, existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { writeFileAtomic } from '../../storage/atomicFile';
import { teamPaths, type TeamFile } from './teamFile';

/** Where Mosquitto's dynamic security plugin is installed: Debian and Ubuntu, Homebrew, the Windows installer. */
const pluginPlaces = [
  '/usr/lib/x86_64-linux-gnu/mosquitto_dynamic_security.so',
  '/usr/lib/aarch64-linux-gnu/mosquitto_dynamic_security.so',
  '/usr/lib/mosquitto_dynamic_security.so',
  '/usr/local/lib/mosquitto_dynamic_security.so',
  '/opt/homebrew/opt/mosquitto/lib/mosquitto_dynamic_security.so',
  '/usr/local/opt/mosquitto/lib/mosquitto_dynamic_security.so',
  'C:\\Program Files\\mosquitto\\mosquitto_dynamic_security.dll',
];

export const findDynsecPlugin = (): string | undefined => pluginPlaces.find((place) => existsSync(place));

export const isLoopback = (host: string): boolean => ['127.0.0.1', 'localhost', '::1'].includes(host);

/**
 * A working mosquitto.conf, made from team.json by every team command (nothing in it is edited by
 * hand, so nothing is lost): MQTT on loopback for the receiver and the team commands, WebSockets
 * for the desktops (TLS unless on loopback), users and rights from the dynamic security plugin
 * (changed while the broker runs), and persistence saved every minute: Mosquitto writes its whole
 * database at each save on its one thread, so saving every second made each acknowledgement wait
 * (500 sessions away with a day's backlog: p99 50 ms against 7 ms, `npm run bench -- team`). A
 * broker killed outright loses what it queued in the last minute for desktops that were away; a
 * broker stopped saves everything.
 */
export function mosquittoConf(dir: string, team: TeamFile, pluginPath: string): string {
  const paths = teamPaths(dir);
  const loopback = isLoopback(team.publicHost);
  return [
    '# Written by `telecmi-notifier team` from team.json: made anew by every team command. Start the broker with:',
    `#   mosquitto -c ${paths.conf}`,
    // Started as root (by a service manager), it drops to this user, who can read the folder.
    `user ${team.brokerUser}`,
    'per_listener_settings false',
    // Calls, presences and enrolments are small: a bigger packet is refused, not kept in memory and
    // on disk. Mosquitto 2.0.11 checks the packet size on MQTT listeners only: the payload limit
    // covers WebSockets.
    'max_packet_size 262144',
    'message_size_limit 200000',
    `plugin ${pluginPath}`,
    `plugin_opt_config_file ${paths.dynsec}`,
    'persistence true',
    `persistence_location ${paths.brokerData}/`,
    'autosave_interval 60',
    'persistent_client_expiration 2d',
    'max_queued_messages 10000',
    // How often the receiver hears how many messages a full queue made the broker drop.
    'sys_interval 5',
    'log_dest stderr',
    'log_type error',
    'log_type warning',
    'log_type notice',
    '',
    '# The receiver (telecmi-notifier serve) and the team commands, on this machine only.',
    `listener ${team.mqttPort} 127.0.0.1`,
    'protocol mqtt',
    '',
    '# Desktops connect here.',
    // Mosquitto 2.0.11 binds a WebSocket listener to every interface whatever address it names
    // (eclipse/mosquitto #2085): an IPv4 socket domain makes it keep to loopback.
    `listener ${team.wsPort} ${loopback ? '127.0.0.1' : '0.0.0.0'}`,
    ...(loopback ? ['socket_domain ipv4'] : []),
    'protocol websockets',
    ...(team.tls ? [`certfile ${join(paths.tls, team.tls.cert)}`, `keyfile ${join(paths.tls, team.tls.key)}`] : []),
    '',
  ].join('\n');
}

/** The user and group ids of a system user (for the broker's own files when it runs as root and drops to it). */
export function systemUser(name: string): { uid: number; gid: number } | undefined {
  if (process.platform === 'win32' || !existsSync('/etc/passwd')) return undefined;
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((entry) => entry.split(':')[0] === name);
  const [, , uid, gid] = line?.split(':') ?? [];
  return uid === undefined || gid === undefined ? undefined : { uid: Number(uid), gid: Number(gid) };
}

/**
 * The first folder above `dir` that a system user cannot pass through, if any: a broker that drops
 * to that user could not reach its files there (a team folder under /root, say).
 */
export function blockedAncestor(dir: string, user: { uid: number; gid: number }): string | undefined {
  for (let folder = dirname(resolve(dir)); ; folder = dirname(folder)) {
    const { mode, uid, gid } = statSync(folder);
    const passes = mode & 0o001 || (uid === user.uid && mode & 0o100) || (gid === user.gid && mode & 0o010);
    if (!passes) return folder;
    if (dirname(folder) === folder) return undefined;
  }
}

/**
 * Writes the broker's config. Run as root, the broker drops to an unprivileged user before it
 * reads its plugin's file, its certificates and its database: those are that user's, and the team
 * folder lets it through (but not read the receiver's password in team.json).
 */
export function writeBrokerConfig(dir: string, team: TeamFile, pluginPath: string): void {
  const paths = teamPaths(dir);
  // No secret in it; the broker's user reads it again on a reload (SIGHUP).
  writeFileAtomic(paths.conf, mosquittoConf(dir, team, pluginPath), 0o644);
  const owner = team.brokerUser ? systemUser(team.brokerUser) : undefined;
  if (!owner || process.getuid?.() !== 0) return;
  chmodSync(dir, 0o711);
  const handOver = (path: string): void => {
    chownSync(path, owner.uid, owner.gid);
    if (statSync(path).isDirectory()) for (const name of readdirSync(path)) handOver(join(path, name));
  };
  handOver(paths.broker);
}

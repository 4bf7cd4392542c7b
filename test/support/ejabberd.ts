import { execFile } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './freePort';

const run = promisify(execFile);

/** Debian's ejabberd (23.01): an MQTT 5 broker (`mod_mqtt`) that clusters. */
export const ejabberdctlPath = ['/usr/sbin/ejabberdctl', '/usr/bin/ejabberdctl'].find((path) => existsSync(path));

const missing = 'ejabberd is not installed (Debian: apt install ejabberd)';

/**
 * Skipped without ejabberd on a developer's machine; in CI on Linux (CI=true), where .ci/run and the
 * workflow install it, the tests fail instead (macOS and Windows runners have no package for it).
 */
export const skipEjabberdTests = !ejabberdctlPath && !(process.env.CI && process.platform === 'linux');
export const ejabberdTestsTitle = (title: string): string => (skipEjabberdTests ? `${title} (skipped: ${missing})` : title);

export interface EjabberdUser {
  username: string;
  password: string;
}

/**
 * The operator's rules, as docs/deployment.md gives them: the receiver publishes every call and
 * reads the team's traffic; a desktop user (named as its agent) reads its own topic, its teams'
 * (listed here per user) and the receivers' statuses, and publishes only its presence.
 */
/** For load measurements alone: anyone may connect under any name, and publish and subscribe anywhere. */
function openConfig(mqttPort: number): string {
  return `hosts:
  - localhost
loglevel: warning
certfiles: []
auth_method: [anonymous]
anonymous_protocol: login_anon
listen:
  -
    port: ${mqttPort}
    ip: "127.0.0.1"
    module: mod_mqtt
modules:
  mod_mqtt:
    max_queue: 10000
`;
}

function config(mqttPort: number, teamsOf: Record<string, string[]>): string {
  const teamRules = Object.entries(teamsOf).flatMap(([user, teams]) =>
    teams.map((team) => `      "telecmi/+/team/${team}":\n        - allow: ${user}_team\n        - allow: receiver`),
  );
  const teamAcls = Object.keys(teamsOf).map((user) => `  ${user}_team:\n    user: "${user}"`);
  return `hosts:
  - localhost
loglevel: warning
certfiles: []
listen:
  -
    port: ${mqttPort}
    ip: "127.0.0.1"
    module: mod_mqtt
acl:
  receiver:
    user: receiver
${teamAcls.join('\n')}
access_rules:
  local:
    allow: all
api_permissions:
  "console commands":
    from: ejabberd_ctl
    who: all
    what: "*"
modules:
  mod_mqtt:
    max_queue: 10000
    access_publish:
      "telecmi/presence/%u":
        - allow
      "telecmi/#":
        - allow: receiver
        - deny
    access_subscribe:
      "telecmi/+/agent/%u":
        - allow
${teamRules.join('\n')}
      "telecmi/status/receiver/+":
        - allow
      "telecmi/presence/%u":
        - allow
      "telecmi/#":
        - allow: receiver
        - deny
`;
}

export interface EjabberdCluster {
  /** Each node's MQTT port, in order (the first is the one the others joined). */
  ports: number[];
  stop(): Promise<void>;
}

/**
 * A cluster of `nodes` ejabberd nodes on loopback, each with its own node name, spool, logs, config
 * and pid file, the later ones joined to the first; the users registered once (Mnesia shares
 * them). Stopped with `ejabberdctl stop`, and the `epmd` the nodes started is ended.
 */
export async function startEjabberdCluster(
  nodes: number,
  users: EjabberdUser[],
  teamsOf: Record<string, string[]>,
  { open = false } = {},
): Promise<EjabberdCluster> {
  if (!ejabberdctlPath) throw new Error(`${missing}: CI must run the cluster tests`);
  const root = mkdtempSync(join(tmpdir(), 'telecmi-ejabberd-'));
  chmodSync(root, 0o755);
  // Run as root, ejabberdctl runs the node as the ejabberd user, who must own its folders.
  const owner = userInfo().uid === 0 ? await idsOf('ejabberd') : undefined;
  const ports: number[] = [];
  const ctls: string[][] = [];
  const suffix = Math.random().toString(36).slice(2, 8);
  for (let index = 0; index < nodes; index += 1) {
    const dir = join(root, `node${index}`);
    for (const sub of ['spool', 'logs']) mkdirSync(join(dir, sub), { recursive: true });
    const port = await freePort();
    ports.push(port);
    writeFileSync(join(dir, 'ejabberd.yml'), open ? openConfig(port) : config(port, teamsOf));
    writeFileSync(join(dir, 'ejabberdctl.cfg'), `ERLANG_NODE=telecmi${index}${suffix}@localhost\nINET_DIST_INTERFACE=127.0.0.1\n`);
    if (owner)
      for (const path of [dir, join(dir, 'spool'), join(dir, 'logs'), join(dir, 'ejabberd.yml'), join(dir, 'ejabberdctl.cfg')])
        chownSync(path, owner.uid, owner.gid);
    ctls.push([
      ...['-n', `telecmi${index}${suffix}@localhost`, '-s', join(dir, 'spool'), '-l', join(dir, 'logs')],
      ...['-f', join(dir, 'ejabberd.yml'), '-c', join(dir, 'ejabberdctl.cfg')],
    ]);
  }
  const ctl = (index: number, ...args: string[]) =>
    run(ejabberdctlPath, [...(ctls[index] as string[]), ...args], {
      env: { ...process.env, EJABBERD_PID_PATH: join(root, `node${index}`, 'ejabberd.pid') },
      timeout: 120_000,
    });
  const stop = async (): Promise<void> => {
    for (let index = nodes - 1; index >= 0; index -= 1) {
      await ctl(index, 'stop').catch(() => undefined);
      await ctl(index, 'stopped').catch(() => undefined);
    }
    await run('epmd', ['-kill']).catch(() => undefined);
  };
  try {
    for (let index = 0; index < nodes; index += 1) {
      await ctl(index, 'start');
      await ctl(index, 'started');
      if (index > 0) await ctl(index, 'join_cluster', `telecmi0${suffix}@localhost`);
    }
    for (const { username, password } of users) await ctl(0, 'register', username, 'localhost', password);
  } catch (error) {
    await stop();
    throw error;
  }
  return { ports, stop };
}

async function idsOf(user: string): Promise<{ uid: number; gid: number }> {
  const [uid, gid] = await Promise.all([run('id', ['-u', user]), run('id', ['-g', user])]);
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

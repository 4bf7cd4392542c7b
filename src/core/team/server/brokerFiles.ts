import { pbkdf2Sync, randomBytes } from 'node:crypto';
import { topics } from '../topics';
import { receiverUsername } from '../teamNames';

/** Mosquitto 2.0's password hash (`$7$`): PBKDF2-SHA512, 101 iterations, a 12-byte salt, a 64-byte key. */
export function mosquittoPasswordLine(username: string, password: string, salt = randomBytes(12)): string {
  const key = pbkdf2Sync(password, salt, 101, 64, 'sha512');
  return `${username}:$7$101$${salt.toString('base64')}$${key.toString('base64')}`;
}

export interface BrokerSettings {
  dir: string;
  mqttPort: number;
  wsPort: number;
  /** Where the WebSocket listener binds: all interfaces when desktops connect from other machines. */
  wsBind: string;
  /** The user Mosquitto runs as: whoever starts it (root included), so it can read these files. Not on Windows, which has no such option. */
  runAs: string | undefined;
}

/**
 * A working mosquitto.conf: MQTT on loopback for the receiver, WebSockets for the desktops,
 * passwords and ACLs required, and persistence saved every second so a killed broker loses
 * almost nothing queued.
 */
export function mosquittoConf({ dir, mqttPort, wsPort, wsBind, runAs }: BrokerSettings): string {
  return [
    '# Written by `telecmi-notifier team init`. Start the broker with: mosquitto -c <this file>',
    ...(runAs ? [`user ${runAs}`] : []),
    'per_listener_settings false',
    'allow_anonymous false',
    `password_file ${dir}/passwd`,
    `acl_file ${dir}/acl`,
    'persistence true',
    `persistence_location ${dir}/broker-data/`,
    'autosave_interval 1',
    'persistent_client_expiration 2d',
    'max_queued_messages 10000',
    'log_dest stderr',
    'log_type error',
    'log_type warning',
    'log_type notice',
    '',
    '# The receiver (telecmi-notifier serve) publishes here.',
    `listener ${mqttPort} 127.0.0.1`,
    'protocol mqtt',
    '',
    '# Desktops connect here (behind TLS on the internet: see the README).',
    `listener ${wsPort} ${wsBind}`,
    'protocol websockets',
    '',
  ].join('\n');
}

export interface AgentAccess {
  agent: string;
  teams: readonly string[];
}

/** Each agent reads its own topic and its teams' (under any app id), and the receiver's status. */
export function mosquittoAcl(agents: readonly AgentAccess[]): string {
  const lines = [
    '# Written by `telecmi-notifier team`: regenerated on each change.',
    `user ${receiverUsername}`,
    'topic write telecmi/#',
    `topic readwrite ${topics.receiverStatus}`,
    '',
  ];
  for (const { agent, teams } of agents) {
    lines.push(
      `user ${agent}`,
      `topic read ${topics.agent('+', agent)}`,
      ...teams.map((team) => `topic read ${topics.team('+', team)}`),
      `topic read ${topics.receiverStatus}`,
      '',
    );
  }
  return lines.join('\n');
}

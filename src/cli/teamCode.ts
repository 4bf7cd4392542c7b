import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { credentialsCodeSchema, encodeJoinCode, reachedInClear } from '../core/team/joinCode';
import { describeFsError } from '../core/storage/fsErrors';
import { randomBytes } from 'node:crypto';
import { UsageError, validateOptions } from './usage';

type Values = Record<string, string | boolean | string[] | undefined>;

/**
 * `team code`: a join code for a broker the operator runs (EMQX, HiveMQ, an ejabberd cluster),
 * whose users and rights they manage: it carries the desktop's credentials as they are, and a
 * client id of its own. The password comes from the environment, never the process list.
 */
export function operatorJoinCode(values: Values): Record<string, unknown> {
  const options = validateOptions(
    z.object({
      brokerUrl: z.string(),
      agent: z.string().min(1),
      username: z.string().min(1),
      passwordEnv: z.string().min(1),
      teams: z.array(z.string()).default([]),
      tlsCa: z.string().optional(),
    }),
    {
      brokerUrl: values['broker-url'],
      agent: values.agent,
      username: values.username,
      passwordEnv: values['password-env'],
      teams: values.team,
      tlsCa: values['tls-ca'],
    },
    { brokerUrl: '--broker-url', passwordEnv: '--password-env', teams: '--team', tlsCa: '--tls-ca' },
  );
  const password = process.env[options.passwordEnv];
  if (!password) throw new UsageError(`--password-env: the environment variable ${options.passwordEnv} is not set`);
  const code = credentialsCodeSchema.safeParse({
    v: 3,
    url: options.brokerUrl,
    ...(options.tlsCa && { ca: readCa(options.tlsCa) }),
    username: options.username,
    password,
    clientId: `telecmi-desktop-${randomBytes(6).toString('hex')}`,
    agent: options.agent,
    teams: options.teams,
  });
  if (!code.success) {
    const [issue] = code.error.issues;
    const flag = { url: '--broker-url', agent: '--agent', teams: '--team', username: '--username', password: '--password-env' }[
      String(issue?.path[0])
    ];
    throw new UsageError(`${flag ?? String(issue?.path[0])}: ${issue?.message}`);
  }
  const { agent, teams, url, clientId } = code.data;
  const host = new URL(url).hostname;
  const warning =
    reachedInClear(url) && `the desktop reaches ${host} without TLS: its password and callers' numbers cross the network in clear`;
  return {
    type: 'join-code',
    agent,
    teams,
    broker: new URL(url).host,
    clientId,
    joinCode: encodeJoinCode(code.data),
    ...(warning && { warning }),
  };
}

function readCa(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new UsageError(`--tls-ca: ${describeFsError(error)}`);
  }
}

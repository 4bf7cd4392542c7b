import { randomUUID } from 'node:crypto';
import mqtt, { type MqttClient } from 'mqtt';
import { errorMessage } from '../../log/errorMessage';
import type { Logger } from '../../log/logger';
import { desiredState, type DynsecAcl, type DynsecRole } from './dynsec';
import type { TeamFile } from './teamFile';

const controlTopic = '$CONTROL/dynamic-security/v1';
const responseTopic = `${controlTopic}/response`;

type Command = Record<string, unknown> & { command: string };
interface Response {
  command: string;
  error?: string;
  data?: Record<string, unknown>;
  correlationData?: string;
}

/** A client created now, with its password in clear: the broker keeps only its hash. */
export interface NewClient {
  username: string;
  password: string;
  roles: string[];
  clientid?: string;
}

export class NotTheTeamsBroker extends Error {}

/** Commands per message: a team's first reconciliation is thousands of them, and the broker limits a packet's size. */
const commandsPerMessage = 100;

const controls = new WeakMap<MqttClient, ReturnType<typeof makeControl>>();

/**
 * Talks to the dynamic security plugin of a running broker (as the receiver, which may change
 * users): commands out, answers matched by correlation id. One per client, however often asked
 * (a link asks at each reconnect).
 */
export function controlOver(client: MqttClient, { timeoutMs = 5000 } = {}) {
  const control = controls.get(client) ?? makeControl(client, timeoutMs);
  controls.set(client, control);
  return control;
}

function makeControl(client: MqttClient, timeoutMs: number) {
  const waiting = new Map<string, { resolve: (response: Response) => void; timer: NodeJS.Timeout }>();
  let subscribed: Promise<unknown> | undefined;
  // A new connection (a clean session) must subscribe again.
  client.on('close', () => (subscribed = undefined));
  client.on('message', (topic, payload) => {
    if (topic !== responseTopic) return;
    let parsed: { responses?: Response[] };
    try {
      parsed = JSON.parse(payload.toString('utf8')) as { responses?: Response[] };
    } catch {
      return;
    }
    for (const response of parsed.responses ?? []) {
      const waiter = response.correlationData ? waiting.get(response.correlationData) : undefined;
      waiter?.resolve(response);
    }
  });

  /** One message of commands: their answers in order. */
  async function sendOne(commands: readonly Command[]): Promise<Response[]> {
    const ids = commands.map(() => randomUUID());
    const answers = Promise.all(
      ids.map(
        (id) =>
          new Promise<Response>((resolve, reject) => {
            const timer = setTimeout(() => {
              waiting.delete(id);
              reject(
                new NotTheTeamsBroker(
                  'the broker did not answer as this team’s broker does (no dynamic security plugin, not its users, or too slow)',
                ),
              );
            }, timeoutMs);
            waiting.set(id, {
              timer,
              resolve: (response) => {
                clearTimeout(timer);
                waiting.delete(id);
                resolve(response);
              },
            });
          }),
      ),
    );
    // Told below when publishing fails; never left unhandled.
    answers.catch(() => undefined);
    try {
      const message = JSON.stringify({ commands: commands.map((command, index) => ({ ...command, correlationData: ids[index] })) });
      await client.publishAsync(controlTopic, message, { qos: 1 });
    } catch (error) {
      for (const id of ids) clearTimeout(waiting.get(id)?.timer);
      for (const id of ids) waiting.delete(id);
      throw error;
    }
    return answers;
  }

  /** Sends commands, in order, and gives their answers; one that names an error throws. */
  async function send(commands: readonly Command[]): Promise<Response[]> {
    if (commands.length === 0) return [];
    subscribed ??= client.subscribeAsync(responseTopic, { qos: 1 }).catch((error: unknown) => {
      subscribed = undefined;
      throw error;
    });
    await subscribed;
    const responses: Response[] = [];
    for (let start = 0; start < commands.length; start += commandsPerMessage) {
      responses.push(...(await sendOne(commands.slice(start, start + commandsPerMessage))));
    }
    for (const response of responses) {
      if (response.error) throw new Error(`the broker refused ${response.command}: ${response.error}`);
    }
    return responses;
  }

  return { send };
}

export type DynsecControl = ReturnType<typeof controlOver>;

const aclKey = (acl: DynsecAcl): string => `${acl.acltype} ${acl.topic} ${acl.allow}`;

/** The commands that make one role's rights what they should be (each change disconnects only that role's clients). */
function roleChanges(desired: DynsecRole, actual: Array<DynsecAcl & { priority?: number }> | undefined): Command[] {
  if (!actual) return [{ command: 'createRole', rolename: desired.rolename, acls: desired.acls.map((acl) => ({ ...acl, priority: 0 })) }];
  const want = new Set(desired.acls.map(aclKey));
  const have = new Set(actual.map(aclKey));
  return [
    ...actual
      .filter((acl) => !want.has(aclKey(acl)))
      .map((acl) => ({ command: 'removeRoleACL', rolename: desired.rolename, acltype: acl.acltype, topic: acl.topic })),
    ...desired.acls
      .filter((acl) => !have.has(aclKey(acl)))
      .map((acl) => ({ command: 'addRoleACL', rolename: desired.rolename, ...acl, priority: 0 })),
  ];
}

/**
 * Brings the running broker to what team.json says: roles created, changed or deleted, clients no
 * longer in the team deleted (which disconnects them at once), and the new clients created. A
 * client the broker lacks and whose password only the team's hash keeps cannot be made again: it
 * is reported.
 */
export async function applyToBroker(control: DynsecControl, team: TeamFile, created: readonly NewClient[], log: Logger): Promise<void> {
  const desired = desiredState(team);
  const [rolesAnswer, clientsAnswer] = await control.send([
    { command: 'listRoles', verbose: true, count: -1, offset: 0 },
    { command: 'listClients', verbose: false, count: -1, offset: 0 },
  ]);
  const roles = new Map(
    ((rolesAnswer?.data?.roles ?? []) as Array<{ rolename: string; acls?: DynsecAcl[] }>).map((role) => [role.rolename, role.acls ?? []]),
  );
  const clients = new Set((clientsAnswer?.data?.clients ?? []) as string[]);
  const desiredRoles = new Set(desired.roles.map((role) => role.rolename));
  const desiredClients = new Set(desired.clients.map((client) => client.username));
  const newNames = new Set(created.map((client) => client.username));
  // The plugin's own administrator (from `mosquitto_ctrl dynsec init`) is left alone.
  const ours = (name: string): boolean => name !== 'admin';
  await control.send([
    ...desired.roles.flatMap((role) => roleChanges(role, roles.get(role.rolename))),
    ...[...clients].filter((name) => ours(name) && !desiredClients.has(name)).map((username) => ({ command: 'deleteClient', username })),
    ...[...roles.keys()].filter((name) => ours(name) && !desiredRoles.has(name)).map((rolename) => ({ command: 'deleteRole', rolename })),
  ]);
  await control.send(
    created.map(({ username, password, roles: names, clientid }) => ({
      command: 'createClient',
      username,
      password,
      roles: names.map((rolename) => ({ rolename })),
      ...(clientid && { clientid }),
    })),
  );
  for (const client of desired.clients) {
    if (!clients.has(client.username) && !newNames.has(client.username)) {
      log.warn(
        'the broker lacks a desktop or join code the team knows, and it cannot be restored (only its hash is kept): revoke the desktop, or let the join code expire, and invite again',
        {
          username: client.username,
        },
      );
    }
  }
}

/**
 * The broker of a team folder, reached on its loopback listener as the receiver; undefined when
 * nothing listens there (its files are written instead). A broker there that refuses the receiver
 * is another one: the change must not pretend to be applied.
 */
export async function connectToTeamBroker(team: TeamFile, log: Logger): Promise<MqttClient | undefined> {
  try {
    return await mqtt.connectAsync(`mqtt://127.0.0.1:${team.mqttPort}`, {
      username: team.receiver.username,
      password: team.receiver.password,
      protocolVersion: 5,
      clientId: `telecmi-admin-${process.pid}-${randomUUID().slice(0, 8)}`,
      reconnectPeriod: 0,
      connectTimeout: 2000,
    });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ECONNREFUSED')
      throw new NotTheTeamsBroker(`it refused the team's receiver: ${errorMessage(error)}`);
    log.debug('the team broker is not running: its files are written instead', { error: errorMessage(error) });
    return undefined;
  }
}

import { createServer } from 'node:net';
import { EnvironmentError } from './usage';

/** One clear line when a port is taken (a system Mosquitto holds 1883 on Debian, say), before anything is written. */
export async function checkPortFree(host: string, port: number, flag: string): Promise<void> {
  const server = createServer();
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, resolve);
    });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') throw new EnvironmentError(`port ${port} is already in use on ${host}: choose another with ${flag}`);
    if (code === 'EACCES') throw new EnvironmentError(`not allowed to listen on port ${port}: choose one above 1023 with ${flag}`);
    throw error;
  } finally {
    await new Promise<void>((resolve) => (server.listening ? server.close(() => resolve()) : resolve()));
  }
}

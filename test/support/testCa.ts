import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const openssl = (args: string[], cwd: string): void => void execFileSync('openssl', args, { cwd, stdio: 'ignore' });

/**
 * A private CA made for a test with openssl, and a server certificate it signs for `host` (a DNS
 * name only: connecting by IP address fails the name check, as it would in the field); with
 * `intermediate`, through an intermediate CA, whose certificate follows the server's in its file.
 */
export function makeTestCa(host = 'localhost', name = 'Test CA', { intermediate = false } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'telecmi-ca-'));
  openssl(
    ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2', '-subj', `/CN=${name}`],
    dir,
  );
  let signer = { cert: 'ca.crt', key: 'ca.key' };
  if (intermediate) {
    writeFileSync(join(dir, 'intermediate.ext'), 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n');
    openssl(
      [
        'req',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        'intermediate.key',
        '-out',
        'intermediate.csr',
        '-subj',
        `/CN=${name} Intermediate`,
      ],
      dir,
    );
    openssl(
      [
        'x509',
        '-req',
        '-in',
        'intermediate.csr',
        '-CA',
        'ca.crt',
        '-CAkey',
        'ca.key',
        '-CAcreateserial',
        '-out',
        'intermediate.crt',
        '-days',
        '2',
        '-extfile',
        'intermediate.ext',
      ],
      dir,
    );
    signer = { cert: 'intermediate.crt', key: 'intermediate.key' };
  }
  openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', `/CN=${host}`], dir);
  writeFileSync(join(dir, 'server.ext'), `subjectAltName=DNS:${host}\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n`);
  openssl(
    [
      'x509',
      '-req',
      '-in',
      'server.csr',
      '-CA',
      signer.cert,
      '-CAkey',
      signer.key,
      '-CAcreateserial',
      '-out',
      'leaf.crt',
      '-days',
      '1',
      '-extfile',
      'server.ext',
    ],
    dir,
  );
  const chain = [
    readFileSync(join(dir, 'leaf.crt'), 'utf8'),
    ...(intermediate ? [readFileSync(join(dir, 'intermediate.crt'), 'utf8')] : []),
  ];
  writeFileSync(join(dir, 'server.crt'), chain.join(''));
  return { ca: join(dir, 'ca.crt'), cert: join(dir, 'server.crt'), key: join(dir, 'server.key') };
}

import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { TeamRefusal } from './teamAdmin';

/**
 * The broker's certificate, checked before anything is written: it reads, its key is its own, it
 * names the host desktops reach, it is valid now, and (with a private CA) that CA signed it. A
 * desktop would otherwise refuse it later, with less to go on.
 */
export function checkCertificates(files: { cert: string; key: string; ca?: string }, host: string, now = new Date()): void {
  const read = (file: string, what: string): string => {
    try {
      return readFileSync(file, 'utf8');
    } catch (error) {
      throw new TeamRefusal(`${what} ${file} cannot be read: ${(error as Error).message}`);
    }
  };
  const certificate = (file: string, flag: string): X509Certificate => {
    const pem = read(file, flag);
    try {
      return new X509Certificate(pem);
    } catch {
      throw new TeamRefusal(`${flag} ${file} is not a PEM certificate`);
    }
  };
  const cert = certificate(files.cert, '--tls-cert');
  try {
    if (!cert.checkPrivateKey(createPrivateKey(read(files.key, '--tls-key'))))
      throw new TeamRefusal(`--tls-key ${files.key} is not the key of --tls-cert`);
  } catch (error) {
    if (error instanceof TeamRefusal) throw error;
    throw new TeamRefusal(`--tls-key ${files.key} is not a PEM private key`);
  }
  const names = isIP(host) ? cert.checkIP(host) : cert.checkHost(host);
  if (!names) throw new TeamRefusal(`--tls-cert is for ${cert.subjectAltName ?? cert.subject}, not for --public-host ${host}`);
  if (new Date(cert.validTo) < now || new Date(cert.validFrom) > now) {
    throw new TeamRefusal(`--tls-cert is valid from ${cert.validFrom} to ${cert.validTo}, not now`);
  }
  if (files.ca) {
    const ca = certificate(files.ca, '--tls-ca');
    if (!signedBy(cert, chainOf(read(files.cert, '--tls-cert')), ca))
      throw new TeamRefusal('--tls-cert is not signed by --tls-ca (directly or through the intermediates in its file)');
  }
}

/** The certificates after the first in a PEM file: the intermediates of a full chain. */
function chainOf(pem: string): X509Certificate[] {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  return blocks.slice(1).flatMap((block) => {
    try {
      return [new X509Certificate(block)];
    } catch {
      return [];
    }
  });
}

/** Whether `ca` signed `cert`, directly or through intermediates of the chain. */
function signedBy(cert: X509Certificate, chain: readonly X509Certificate[], ca: X509Certificate): boolean {
  let current = cert;
  for (let depth = 0; depth <= chain.length; depth += 1) {
    if (current.checkIssued(ca) && current.verify(ca.publicKey)) return true;
    const issuer = chain.find((each) => current.checkIssued(each) && current.verify(each.publicKey));
    if (!issuer) return false;
    current = issuer;
  }
  return false;
}

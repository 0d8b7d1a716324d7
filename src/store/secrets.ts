/**
 * Secrets at rest. IO keys and callback secrets must be readable again (GeNIO sends them), so they
 * are encrypted with AES-256-GCM under the master key from the environment. API keys only need to
 * be recognised, so they are stored as SHA-256 hashes with a short visible prefix.
 */
import crypto from 'node:crypto';

const VERSION = 'v1';

export function encryptSecret(masterKey: Buffer, plain: string): string {
  const iv = crypto.randomBytes(12);
  const cipher = crypto.createCipheriv('aes-256-gcm', masterKey, iv);
  const ct = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return [VERSION, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), ct.toString('base64url')].join('.');
}

export class SecretError extends Error {}

export function decryptSecret(masterKey: Buffer, envelope: string): string {
  const [version, iv, tag, ct] = envelope.split('.');
  if (version !== VERSION || !iv || !tag || ct === undefined) throw new SecretError('not an encrypted secret');
  try {
    const decipher = crypto.createDecipheriv('aes-256-gcm', masterKey, Buffer.from(iv, 'base64url'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(ct, 'base64url')), decipher.final()]).toString('utf8');
  } catch {
    throw new SecretError('cannot decrypt a stored secret: is GENIO_MASTER_KEY the key it was stored with?');
  }
}

export function sha256Hex(s: string): string {
  return crypto.createHash('sha256').update(s).digest('hex');
}

const API_KEY_PREFIX = 'genio';

/** A new API key: `genio_<8 visible>_<32 secret>`; 190 random bits. */
export function newApiKey(sandbox: boolean): { key: string; prefix: string; hash: string } {
  const visible = crypto.randomBytes(6).toString('base64url').replace(/[-_]/g, 'x').slice(0, 8);
  const secret = crypto.randomBytes(24).toString('base64url');
  const prefix = `${API_KEY_PREFIX}${sandbox ? '_test' : ''}_${visible}`;
  const key = `${prefix}_${secret}`;
  return { key, prefix, hash: sha256Hex(key) };
}

/** A secret for signing callbacks: shown once, stored encrypted. */
export function newCallbackSecret(): string {
  return `whsec_${crypto.randomBytes(24).toString('base64url')}`;
}

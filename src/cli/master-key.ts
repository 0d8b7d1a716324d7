/**
 * The master key (AES-256 key for IO keys and callback secrets at rest) as the CLI obtains it:
 * from GENIO_MASTER_KEY, or, for the development `start` only, from a file in the data directory
 * that is created on the first run.
 */
import fs from 'node:fs';
import crypto from 'node:crypto';
import { CliError } from '../admin/errors.ts';

const HEX_KEY = /^[0-9a-fA-F]{64}$/;

type Env = Record<string, string | undefined>;

/** The key from the environment, null when unset; a malformed key is an error, never ignored. */
export function masterKeyFromEnv(env: Env): Buffer | null {
  const raw = env.GENIO_MASTER_KEY?.trim();
  if (!raw) return null;
  if (!HEX_KEY.test(raw)) throw new CliError('GENIO_MASTER_KEY must be 64 hexadecimal characters (generate one with: openssl rand -hex 32)');
  return Buffer.from(raw, 'hex');
}

/**
 * Reads the key file, or creates it (mode 0600) with a new random key. The key is kept beside
 * the data it protects so that a restart can read the services' keys again.
 */
export function readOrCreateMasterKeyFile(file: string, warn: (text: string) => void): { hex: string; created: boolean } {
  try {
    const hex = crypto.randomBytes(32).toString('hex');
    // `wx`: never overwrite a key that appeared meanwhile; losing the key loses the stored IO keys.
    fs.writeFileSync(file, `${hex}\n`, { mode: 0o600, flag: 'wx' });
    return { hex, created: true };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  const hex = fs.readFileSync(file, 'utf8').trim();
  if (!HEX_KEY.test(hex)) throw new CliError(`${file} must hold the 64-hexadecimal-character master key; it holds something else (restore it from a backup, or move it away to start over with new data)`);
  if (fs.statSync(file).mode & 0o077) warn(`warning: ${file} is readable by other users; run: chmod 600 ${file}`);
  return { hex, created: false };
}

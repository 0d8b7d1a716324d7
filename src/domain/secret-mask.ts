/**
 * Shortens a secret (IO subscription key, API key) for logs and admin screens: the first four
 * characters are enough to tell keys apart (e.g. primary vs secondary during a rotation) without
 * making the logged value usable. Values shorter than 8 characters are hidden entirely, because
 * four characters would then reveal too large a share of the secret.
 */
export function maskSecret(s: string): string {
  if (s.length < 8) return '***';
  return `${s.slice(0, 4)}…`;
}

/**
 * Caller-IP check against the service `authorized_cidrs` (FACTS.md §1): an empty list allows any
 * IP, otherwise IO answers 403 "You are not allowed here". IPv4 only, as IO's CIDR pattern.
 */

export function isIpAllowed(ip: string | undefined, cidrs: readonly string[] | undefined): boolean {
  if (!cidrs || cidrs.length === 0) return true;
  const addr = ip === undefined ? undefined : ipv4ToInt(ip.startsWith('::ffff:') ? ip.slice(7) : ip);
  if (addr === undefined) return false;
  return cidrs.some((cidr) => {
    const [base, bitsText] = cidr.split('/');
    const net = ipv4ToInt(base);
    const bits = bitsText === undefined ? 32 : Number(bitsText);
    if (net === undefined || !Number.isInteger(bits) || bits < 0 || bits > 32) return false;
    const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
    return ((addr & mask) >>> 0) === ((net & mask) >>> 0);
  });
}

function ipv4ToInt(ip: string): number | undefined {
  const parts = ip.split('.');
  if (parts.length !== 4) return undefined;
  let n = 0;
  for (const p of parts) {
    const v = Number(p);
    if (!/^[0-9]{1,3}$/.test(p) || v > 255) return undefined;
    n = n * 256 + v;
  }
  return n;
}

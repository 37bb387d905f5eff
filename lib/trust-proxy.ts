// TRUST_PROXY: which peers may tell the API the client's address (X-Forwarded-For) and scheme (X-Forwarded-Proto).
// The value is express's `trust proxy` list: addresses, CIDRs and the named ranges below, comma separated.
import { isIP } from 'node:net';

/** express's (proxy-addr's) named ranges. */
export const TRUST_PROXY_NAMES = ['loopback', 'linklocal', 'uniquelocal'] as const;

/** The entries of a TRUST_PROXY value, as express's `trust proxy` setting takes them. */
export function parseTrustProxy(value: string): string[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/** Why one entry is not an address, a CIDR or a named range; null when it is fine. */
function entryProblem(entry: string): string | null {
  if ((TRUST_PROXY_NAMES as readonly string[]).includes(entry)) return null;
  const slash = entry.indexOf('/');
  const address = slash < 0 ? entry : entry.slice(0, slash);
  const family = isIP(address);
  if (!family) return `"${entry}" is not an IP address, a CIDR or one of ${TRUST_PROXY_NAMES.join(', ')}`;
  if (slash < 0) return null;
  const bits = entry.slice(slash + 1);
  const max = family === 4 ? 32 : 128;
  if (!/^\d{1,3}$/.test(bits) || Number(bits) > max) return `"${entry}": the prefix length must be 0-${max}`;
  return null;
}

/** The first problem of a TRUST_PROXY value (zod refinement message); null when every entry is valid. */
export function trustProxyProblem(value: string): string | null {
  const entries = parseTrustProxy(value);
  if (!entries.length) return 'must name at least one address, CIDR or range (default: loopback)';
  for (const e of entries) {
    const problem = entryProblem(e);
    if (problem) return problem;
  }
  return null;
}

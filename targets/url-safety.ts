import { promises as dnsPromises } from 'node:dns';
import { isIP, isIPv6 } from 'node:net';

/** Policy knobs for the SSRF guard, normally built from SCAN_ALLOW_PRIVATE_TARGETS, SCAN_ALLOWED_HOSTS and a length cap. */
export interface UrlPolicy {
  allowPrivateTargets: boolean;
  allowedHosts: readonly string[];
  maxUrlLength: number;
}

/** Why a URL was refused: malformed input versus a target we will not connect to. */
export type UrlRejection = 'invalid_url' | 'blocked_target';

/**
 * Outcome of a URL check; `host` is the lowercase hostname without IPv6 brackets (IP literals in canonical form).
 * A refusal's `reason` is safe to show the client: it never holds an address a name resolved to (that would map the
 * internal network for them: `postgres` is 172.18.0.3). `detail`, when present, is the full story for the logs only.
 */
export type UrlCheck = { ok: true; url: URL; host: string } | { ok: false; category: UrlRejection; reason: string; detail?: string };

type Hextets = number[];

export const LOOPBACK_NAME_ADDRESSES = ['127.0.0.1', '::1'] as const;

interface V4Range {
  base: number;
  prefix: number;
  name: string;
}

// Most specific ranges first so that e.g. the broadcast address is not reported as merely "reserved".
const V4_RANGES: readonly V4Range[] = [
  v4Range('255.255.255.255', 32, 'broadcast'),
  v4Range('0.0.0.0', 8, 'unspecified'),
  v4Range('10.0.0.0', 8, 'private'),
  v4Range('100.64.0.0', 10, 'cgnat'),
  v4Range('127.0.0.0', 8, 'loopback'),
  v4Range('169.254.0.0', 16, 'link-local'),
  v4Range('172.16.0.0', 12, 'private'),
  v4Range('192.0.0.0', 24, 'reserved'),
  // TEST-NETs are never legitimate scan targets, and blocking them keeps v4 consistent with 2001:db8::/32.
  v4Range('192.0.2.0', 24, 'documentation'),
  v4Range('198.51.100.0', 24, 'documentation'),
  v4Range('203.0.113.0', 24, 'documentation'),
  v4Range('192.168.0.0', 16, 'private'),
  v4Range('198.18.0.0', 15, 'benchmark'),
  v4Range('224.0.0.0', 4, 'multicast'),
  v4Range('240.0.0.0', 4, 'reserved'),
];

interface V6Range {
  base: Hextets;
  prefix: number;
  name: string;
}

const V6_RANGES: readonly V6Range[] = [
  v6Range('2001:db8::', 32, 'documentation'),
  v6Range('3fff::', 20, 'documentation'),
  v6Range('2001:2::', 48, 'benchmark'),
  v6Range('fc00::', 7, 'unique-local'),
  v6Range('fe80::', 10, 'link-local'),
  v6Range('fec0::', 10, 'site-local'),
  v6Range('ff00::', 8, 'multicast'),
];

const NAT64 = v6Range('64:ff9b::', 96, 'nat64').base;

function v4Range(base: string, prefix: number, name: string): V4Range {
  const parsed = parseIpv4Lenient(base);
  if (parsed === null) throw new Error(`bad built-in range ${base}`);
  return { base: parsed, prefix, name };
}

function v6Range(base: string, prefix: number, name: string): V6Range {
  const parsed = parseIpv6(base);
  if (parsed === null) throw new Error(`bad built-in range ${base}`);
  return { base: parsed, prefix, name };
}

// WHATWG-style number parsing: 0x… is hex, a leading 0 is octal, otherwise decimal; these are the
// forms browsers and libc's inet_aton accept, so an attacker can use any of them.
function parseIpv4Part(part: string): number | null {
  if (part === '') return null;
  let digits = part;
  let radix = 10;
  if (/^0x/i.test(digits)) {
    digits = digits.slice(2);
    radix = 16;
  } else if (digits.length > 1 && digits.startsWith('0')) {
    digits = digits.slice(1);
    radix = 8;
  }
  if (digits === '') return 0;
  const pattern = radix === 16 ? /^[0-9a-f]+$/i : radix === 8 ? /^[0-7]+$/ : /^[0-9]+$/;
  if (!pattern.test(digits)) return null;
  // Long inputs lose precision, but anything that long is out of range and rejected by the caller anyway.
  return parseInt(digits, radix);
}

function parseIpv4Lenient(input: string): number | null {
  const parts = input.split('.');
  if (parts.length > 1 && parts[parts.length - 1] === '') parts.pop();
  if (parts.length === 0 || parts.length > 4) return null;
  const numbers: number[] = [];
  for (const part of parts) {
    const n = parseIpv4Part(part);
    if (n === null) return null;
    numbers.push(n);
  }
  const last = numbers.pop() as number;
  if (numbers.some((n) => n > 255)) return null;
  if (last >= 256 ** (5 - parts.length)) return null;
  let value = last;
  numbers.forEach((n, i) => {
    value += n * 256 ** (3 - i);
  });
  return value;
}

function formatIpv4(value: number): string {
  return [value >>> 24, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff].join('.');
}

function parseStrictDottedQuad(input: string): number | null {
  if (!/^\d{1,3}(\.\d{1,3}){3}$/.test(input)) return null;
  const octets = input.split('.').map(Number);
  if (octets.some((o) => o > 255)) return null;
  return ((octets[0] << 24) | (octets[1] << 16) | (octets[2] << 8) | octets[3]) >>> 0;
}

// net.isIPv6 gatekeeps syntax so this only has to expand forms Node already considers valid.
function parseIpv6(input: string): Hextets | null {
  if (!isIPv6(input) || input.includes('%')) return null;
  let text = input.toLowerCase();
  const tail: number[] = [];
  if (text.includes('.')) {
    const cut = text.lastIndexOf(':');
    const v4 = parseStrictDottedQuad(text.slice(cut + 1));
    if (v4 === null) return null;
    tail.push(v4 >>> 16, v4 & 0xffff);
    text = text.slice(0, cut + 1);
    if (!text.endsWith('::')) text = text.slice(0, -1);
  }
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const groups = (s: string): string[] => (s === '' ? [] : s.split(':'));
  const head = groups(halves[0]);
  const rest = halves.length === 2 ? groups(halves[1]) : [];
  const fill = 8 - tail.length - head.length - rest.length;
  if (halves.length === 1 ? fill !== 0 : fill < 0) return null;
  const hex = [...head, ...(halves.length === 2 ? Array<string>(fill).fill('0') : []), ...rest];
  if (hex.some((h) => !/^[0-9a-f]{1,4}$/.test(h))) return null;
  return [...hex.map((h) => parseInt(h, 16)), ...tail];
}

function formatIpv6(h: Hextets): string {
  // RFC 5952 writes IPv4-mapped addresses with a dotted tail, which also makes log lines readable.
  if (h.slice(0, 5).every((x) => x === 0) && h[5] === 0xffff) {
    return `::ffff:${formatIpv4(((h[6] << 16) | h[7]) >>> 0)}`;
  }
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8;) {
    if (h[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && h[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = h.map((x) => x.toString(16));
  // RFC 5952 forbids "::" for a single zero group.
  if (bestLen < 2) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}

function stripBrackets(s: string): string {
  return s.startsWith('[') && s.endsWith(']') ? s.slice(1, -1) : s;
}

function parseAny(address: string): { v4: number } | { v6: Hextets } | null {
  const text = stripBrackets(address.trim());
  if (text.includes(':')) {
    const zone = text.indexOf('%');
    const v6 = parseIpv6(zone === -1 ? text : text.slice(0, zone));
    return v6 === null ? null : { v6 };
  }
  const v4 = parseIpv4Lenient(text);
  return v4 === null ? null : { v4 };
}

/** Canonical text of an IPv4 (dotted, decimal, octal or hex) or IPv6 (bracketed, zoned, mapped) literal, or null if `s` is not one. */
export function canonicalIp(s: string): string | null {
  const parsed = parseAny(s);
  if (parsed === null) return null;
  return 'v4' in parsed ? formatIpv4(parsed.v4) : formatIpv6(parsed.v6);
}

function v4RangeOf(value: number): string | null {
  for (const range of V4_RANGES) {
    const mask = range.prefix === 0 ? 0 : (~0 << (32 - range.prefix)) >>> 0;
    if ((value & mask) >>> 0 === (range.base & mask) >>> 0) return range.name;
  }
  return null;
}

function inV6Prefix(h: Hextets, base: Hextets, prefix: number): boolean {
  for (let i = 0; i < 8; i++) {
    const bits = Math.min(16, Math.max(0, prefix - i * 16));
    if (bits === 0) return true;
    const mask = (0xffff << (16 - bits)) & 0xffff;
    if ((h[i] & mask) !== (base[i] & mask)) return false;
  }
  return true;
}

function embeddedV4(hi: number, lo: number): number {
  return ((hi << 16) | lo) >>> 0;
}

function v6RangeOf(h: Hextets): string | null {
  const firstFiveZero = h.slice(0, 5).every((x) => x === 0);
  if (firstFiveZero && h[5] === 0) {
    if (h[6] === 0 && h[7] === 0) return 'unspecified';
    if (h[6] === 0 && h[7] === 1) return 'loopback';
    // IPv4-compatible addresses are deprecated and not routable, so a public embedded address is still refused.
    const inner = v4RangeOf(embeddedV4(h[6], h[7]));
    return inner === null ? 'ipv4-compatible' : `ipv4-compatible ${inner}`;
  }
  // Translation and tunnelling prefixes carry an IPv4 destination; the embedded address decides.
  if (firstFiveZero && h[5] === 0xffff) return prefixed('ipv4-mapped', v4RangeOf(embeddedV4(h[6], h[7])));
  if (inV6Prefix(h, NAT64, 96)) return prefixed('nat64', v4RangeOf(embeddedV4(h[6], h[7])));
  if (h[0] === 0x2002) return prefixed('6to4', v4RangeOf(embeddedV4(h[1], h[2])));
  if (h[0] === 0x2001 && h[1] === 0) {
    // Teredo obfuscates the client address by inverting its bits.
    const client = v4RangeOf(~embeddedV4(h[6], h[7]) >>> 0);
    const server = v4RangeOf(embeddedV4(h[2], h[3]));
    return prefixed('teredo', client ?? server);
  }
  for (const range of V6_RANGES) {
    if (inV6Prefix(h, range.base, range.prefix)) return range.name;
  }
  // Only 2000::/3 is allocated for global unicast; anything else that reached here is unroutable or special-purpose.
  if ((h[0] & 0xe000) !== 0x2000) return 'reserved';
  return null;
}

function prefixed(kind: string, inner: string | null): string | null {
  return inner === null ? null : `${kind} ${inner}`;
}

/** Name of the blocked range containing `address` (v4 or v6), or null if it is publicly routable; unparseable input yields 'unparseable' so callers fail closed. */
export function blockedRangeOf(address: string): string | null {
  const parsed = parseAny(address);
  if (parsed === null) return 'unparseable';
  return 'v4' in parsed ? v4RangeOf(parsed.v4) : v6RangeOf(parsed.v6);
}

// Everything is compared as IPv6 (IPv4 as ::ffff:a.b.c.d) so a v4 CIDR also covers the mapped form of its addresses.
function toV6(parsed: { v4: number } | { v6: Hextets }): Hextets {
  if ('v6' in parsed) return parsed.v6;
  return [0, 0, 0, 0, 0, 0xffff, parsed.v4 >>> 16, parsed.v4 & 0xffff];
}

function parseCidr(entry: string): { base: Hextets; prefix: number } | null {
  const slash = entry.indexOf('/');
  const baseText = stripBrackets(slash === -1 ? entry : entry.slice(0, slash));
  const prefixText = slash === -1 ? null : entry.slice(slash + 1);
  // Strict syntax only: a lenient parse would read '10.1/16' as 10.0.0.1/16 and silently allow the wrong network.
  const family = isIP(baseText);
  if (family === 0) return null;
  const width = family === 4 ? 32 : 128;
  let prefix = width;
  if (prefixText !== null) {
    if (!/^\d{1,3}$/.test(prefixText)) return null;
    prefix = Number(prefixText);
    if (prefix > width) return null;
  }
  const parsed = parseAny(baseText);
  if (parsed === null) return null;
  return { base: toV6(parsed), prefix: family === 4 ? prefix + 96 : prefix };
}

/** True if `address` falls inside an IP or CIDR entry of the allowlist; hostname entries never match an address. */
export function isAddressAllowedByList(address: string, allowedHosts: readonly string[]): boolean {
  const parsed = parseAny(address);
  if (parsed === null) return false;
  const target = toV6(parsed);
  return allowedHosts.some((entry) => {
    const cidr = parseCidr(entry.trim());
    return cidr !== null && inV6Prefix(target, cidr.base, cidr.prefix);
  });
}

function normaliseHostname(host: string): string {
  return stripBrackets(host.trim().toLowerCase()).replace(/\.+$/, '');
}

/** True if `host` exactly matches a hostname entry of the allowlist, ignoring case and trailing dots. */
export function isHostnameAllowedByList(host: string, allowedHosts: readonly string[]): boolean {
  const wanted = normaliseHostname(host);
  return wanted !== '' && allowedHosts.some((entry) => normaliseHostname(entry) === wanted);
}

/** Split a SCAN_ALLOWED_HOSTS value on commas and whitespace into lowercase entries. */
export function parseAllowedHosts(csv: string): string[] {
  return csv
    .split(/[\s,]+/)
    .map((entry) => entry.trim().toLowerCase())
    .filter((entry) => entry !== '');
}

/** 'localhost' and '*.localhost': names browsers resolve to loopback without asking DNS. */
export function isLoopbackName(host: string): boolean {
  const name = normaliseHostname(host);
  return name === 'localhost' || name.endsWith('.localhost');
}

function invalid(reason: string): UrlCheck {
  return { ok: false, category: 'invalid_url', reason };
}

function blocked(reason: string, detail?: string): UrlCheck {
  return detail === undefined
    ? { ok: false, category: 'blocked_target', reason }
    : { ok: false, category: 'blocked_target', reason, detail };
}

function describeRange(name: string): string {
  const article = /^(ipv4|unspecified|unparseable)/.test(name) ? 'an' : 'a';
  return `${article} ${name} range`;
}

/**
 * Why `address` may not be contacted, or null when it may. For an address the caller gave (`via` absent) the reason
 * names it: it is the caller's own input. For one a name resolved to (`via` set) the reason names only the host and
 * the kind of range, never the address; `detail` (for logs) has the address too.
 */
export function addressRefusal(address: string, policy: UrlPolicy, via?: string): { reason: string; detail: string } | null {
  const canonical = canonicalIp(address);
  if (canonical === null) {
    const detail = `target address ${JSON.stringify(address)}${via ? ` (resolved from ${via})` : ''} is not a valid IP address`;
    return { reason: via ? `target host ${via} did not resolve to a valid IP address` : detail, detail };
  }
  if (isAddressAllowedByList(canonical, policy.allowedHosts)) return null;
  const range = blockedRangeOf(canonical);
  if (range === null) return null;
  const detail = `target address ${canonical} is in ${describeRange(range)}${via ? ` (resolved from ${via})` : ''}`;
  return { reason: via ? `target host ${via} resolves to an address that is not public (in ${describeRange(range)})` : detail, detail };
}

// Returns a rejection, or null when the address may be contacted under this policy.
function checkAddress(address: string, policy: UrlPolicy, via?: string): UrlCheck | null {
  const refusal = addressRefusal(address, policy, via);
  if (refusal === null) return null;
  return via ? blocked(refusal.reason, refusal.detail) : blocked(refusal.reason);
}

/** DNS-free checks: parse, http(s) only, no credentials, length cap, host present, and the address rule for IP literals and localhost names. */
export function checkUrlSyntax(raw: string, policy: UrlPolicy): UrlCheck {
  if (typeof raw !== 'string' || raw.trim() === '') return invalid('URL is empty');
  const input = raw.trim();
  const tooLong = `URL is longer than the ${policy.maxUrlLength}-character limit`;
  if (input.length > policy.maxUrlLength) return invalid(tooLong);

  let url: URL;
  try {
    url = new URL(input);
  } catch {
    return invalid(
      /^[a-z][a-z0-9+.-]*:/i.test(input) ? 'URL could not be parsed' : 'URL must be absolute and start with http:// or https://',
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return invalid('only http and https URLs can be scanned');
  }
  if (url.username !== '' || url.password !== '') return invalid('URLs with credentials are not accepted');
  // Percent-encoding during parsing can lengthen the URL that actually gets requested.
  if (url.href.length > policy.maxUrlLength) return invalid(tooLong);
  if (url.hostname === '') return invalid('URL has no host');

  const bare = stripBrackets(url.hostname.toLowerCase());
  const literal = canonicalIp(bare);
  const host = literal ?? bare;
  const ok: UrlCheck = { ok: true, url, host };
  if (policy.allowPrivateTargets) return ok;

  if (literal !== null) return checkAddress(literal, policy) ?? ok;
  if (isHostnameAllowedByList(host, policy.allowedHosts)) return ok;
  // Browsers resolve *.localhost to loopback without asking DNS, so the name itself is the address.
  if (isLoopbackName(host)) {
    const allCovered = LOOPBACK_NAME_ADDRESSES.every((a) => isAddressAllowedByList(a, policy.allowedHosts));
    return allCovered ? ok : blocked(`target host ${host} is a loopback name`);
  }
  return ok;
}

/** Default resolver: every address the OS resolver returns, in its own order. */
export async function resolveAllAddresses(host: string): Promise<string[]> {
  const answers = await dnsPromises.lookup(host, { all: true, verbatim: true });
  return answers.map((answer) => answer.address);
}

/** checkUrlSyntax, then resolve the host and refuse it if ANY address is blocked; resolver errors (e.g. code ENOTFOUND) are rethrown unchanged because DNS failures can be transient. */
export async function checkUrlSafety(
  raw: string,
  policy: UrlPolicy,
  resolve: (host: string) => Promise<string[]> = resolveAllAddresses,
): Promise<UrlCheck> {
  const syntax = checkUrlSyntax(raw, policy);
  if (!syntax.ok || policy.allowPrivateTargets) return syntax;
  const { host } = syntax;
  if (canonicalIp(host) !== null || isLoopbackName(host) || isHostnameAllowedByList(host, policy.allowedHosts)) {
    return syntax;
  }

  // The browser resolves again when it navigates, so this narrows rather than closes the DNS-rebinding window.
  const addresses = await resolve(host);
  if (addresses.length === 0) {
    throw Object.assign(new Error(`host ${host} did not resolve to any address`), { code: 'ENOTFOUND', hostname: host });
  }
  for (const address of addresses) {
    const rejection = checkAddress(address, policy, host);
    if (rejection !== null) return rejection;
  }
  return syntax;
}

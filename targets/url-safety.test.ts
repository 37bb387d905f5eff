import {
  blockedRangeOf,
  canonicalIp,
  checkUrlSafety,
  checkUrlSyntax,
  isAddressAllowedByList,
  isHostnameAllowedByList,
  parseAllowedHosts,
  type UrlPolicy,
} from './url-safety';

const strict: UrlPolicy = { allowPrivateTargets: false, allowedHosts: [], maxUrlLength: 2048 };
const withAllowed = (...allowedHosts: string[]): UrlPolicy => ({ ...strict, allowedHosts });
// Tables name policies as an env-style string so test titles stay readable.
const ANY_PRIVATE = 'SCAN_ALLOW_PRIVATE_TARGETS';
const policyFrom = (spec: string): UrlPolicy =>
  spec === ANY_PRIVATE ? { ...strict, allowPrivateTargets: true } : withAllowed(...parseAllowedHosts(spec));

const stubResolver = (table: Record<string, string[]>) =>
  jest.fn(async (host: string): Promise<string[]> => {
    const answer = table[host];
    if (answer) return answer;
    throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND', hostname: host });
  });

describe('canonicalIp', () => {
  it.each([
    ['127.0.0.1', '127.0.0.1'],
    ['2130706433', '127.0.0.1'],
    ['0x7f000001', '127.0.0.1'],
    ['0x7f.1', '127.0.0.1'],
    ['017700000001', '127.0.0.1'],
    ['0177.0.0.01', '127.0.0.1'],
    ['127.1', '127.0.0.1'],
    ['10.1.2', '10.1.0.2'],
    ['127.0.0.1.', '127.0.0.1'],
    ['0', '0.0.0.0'],
    ['0x', '0.0.0.0'],
    ['::1', '::1'],
    ['[::1]', '::1'],
    ['0:0:0:0:0:0:0:1', '::1'],
    ['FE80::1%eth0', 'fe80::1'],
    ['[fe80::1%25en0]', 'fe80::1'],
    ['::ffff:7f00:1', '::ffff:127.0.0.1'],
    ['::FFFF:127.0.0.1', '::ffff:127.0.0.1'],
    ['2001:0db8:0000:0000:0001:0000:0000:0001', '2001:db8::1:0:0:1'],
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'],
    ['1:2:3:4:5:6:7::', '1:2:3:4:5:6:7:0'],
  ])('canonicalises %s to %s', (input, expected) => {
    expect(canonicalIp(input)).toBe(expected);
  });

  it.each([
    'example.com',
    'localhost',
    '',
    '1.2.3.4.5',
    '256.1.1.1',
    '1.2.3.0x100',
    '4294967296',
    '08.0.0.1',
    '0xg.0.0.1',
    '1..2.3',
    '1::2::3',
    '12345::1',
    '::1.2.3.256',
    '[::1',
  ])('rejects non-address %p', (input) => {
    expect(canonicalIp(input)).toBeNull();
  });
});

describe('blockedRangeOf', () => {
  it.each([
    ['0.0.0.0', 'unspecified'],
    ['0.1.2.3', 'unspecified'],
    ['10.0.0.5', 'private'],
    ['10.255.255.255', 'private'],
    ['100.64.0.1', 'cgnat'],
    ['100.127.255.255', 'cgnat'],
    ['127.0.0.1', 'loopback'],
    ['127.255.255.254', 'loopback'],
    ['169.254.169.254', 'link-local'],
    ['169.254.0.1', 'link-local'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.0.0.8', 'reserved'],
    ['192.0.2.1', 'documentation'],
    ['192.168.1.1', 'private'],
    ['198.18.0.1', 'benchmark'],
    ['198.19.255.255', 'benchmark'],
    ['224.0.0.1', 'multicast'],
    ['239.255.255.250', 'multicast'],
    ['240.0.0.1', 'reserved'],
    ['255.255.255.254', 'reserved'],
    ['255.255.255.255', 'broadcast'],
    ['::', 'unspecified'],
    ['::1', 'loopback'],
    ['fc00::1', 'unique-local'],
    ['fd12:3456:789a::1', 'unique-local'],
    ['fe80::1', 'link-local'],
    ['febf:ffff::1', 'link-local'],
    ['fec0::1', 'site-local'],
    ['ff02::1', 'multicast'],
    ['ff0e::1', 'multicast'],
    ['2001:db8::1', 'documentation'],
    ['::ffff:127.0.0.1', 'ipv4-mapped loopback'],
    ['::ffff:7f00:1', 'ipv4-mapped loopback'],
    ['::ffff:a9fe:a9fe', 'ipv4-mapped link-local'],
    ['::ffff:10.0.0.1', 'ipv4-mapped private'],
    ['::127.0.0.1', 'ipv4-compatible loopback'],
    ['::7f00:1', 'ipv4-compatible loopback'],
    ['::93.184.216.34', 'ipv4-compatible'],
    ['64:ff9b::127.0.0.1', 'nat64 loopback'],
    ['64:ff9b::a9fe:a9fe', 'nat64 link-local'],
    ['2002:7f00:1::', '6to4 loopback'],
    ['2002:c0a8:101::1', '6to4 private'],
    ['2001:0:4136:e378:8000:63bf:80ff:fffe', 'teredo loopback'],
    ['100::1', 'reserved'],
    ['::ffff:0:7f00:1', 'reserved'],
    ['not-an-ip', 'unparseable'],
  ])('%s is %s', (address, range) => {
    expect(blockedRangeOf(address)).toBe(range);
  });

  it.each([
    '93.184.216.34',
    '8.8.8.8',
    '1.1.1.1',
    '100.63.255.255',
    '100.128.0.0',
    '172.15.255.255',
    '172.32.0.0',
    '192.0.1.1',
    '198.17.255.255',
    '198.20.0.0',
    '223.255.255.255',
    '2606:2800:220:1::1',
    '2a00:1450:4001:80b::200e',
    '::ffff:93.184.216.34',
    '64:ff9b::5db8:d822',
    '2002:5db8:d822::1',
    '2001:db9::1',
  ])('%s is public', (address) => {
    expect(blockedRangeOf(address)).toBeNull();
  });
});

describe('parseAllowedHosts', () => {
  it.each([
    ['', []],
    ['  ', []],
    ['Example.COM', ['example.com']],
    ['a.example, b.example', ['a.example', 'b.example']],
    [' a.example  b.example,,10.0.0.0/8 ,\tFD00::/8\n', ['a.example', 'b.example', '10.0.0.0/8', 'fd00::/8']],
  ])('parses %p', (csv, expected) => {
    expect(parseAllowedHosts(csv)).toEqual(expected);
  });
});

describe('isAddressAllowedByList', () => {
  const list = ['127.0.0.0/8', '10.1.0.0/16', 'fd00::/8', '192.168.5.7', '::1', 'intranet.example', '10.2/16', 'bogus/8', '10.3.0.0/33'];
  it.each([
    ['127.0.0.1', true],
    ['127.200.1.1', true],
    ['::ffff:127.0.0.1', true],
    ['10.1.255.255', true],
    ['10.2.0.1', false],
    ['10.0.0.1', false],
    ['10.3.0.1', false],
    ['fd00::1', true],
    ['fdff:ffff::1', true],
    ['fc00::1', false],
    ['192.168.5.7', true],
    ['192.168.5.8', false],
    ['::1', true],
    ['::2', false],
    ['intranet.example', false],
    ['garbage', false],
  ])('%s -> %s', (address, expected) => {
    expect(isAddressAllowedByList(address, list)).toBe(expected);
  });

  it('matches the whole address space with a /0 entry', () => {
    expect(isAddressAllowedByList('8.8.8.8', ['0.0.0.0/0'])).toBe(true);
    expect(isAddressAllowedByList('2606:2800:220:1::1', ['::/0'])).toBe(true);
  });
});

describe('isHostnameAllowedByList', () => {
  it.each([
    ['intranet.example', ['intranet.example'], true],
    ['INTRANET.example.', ['intranet.example'], true],
    ['intranet.example', ['Intranet.Example.'], true],
    ['sub.intranet.example', ['intranet.example'], false],
    ['intranet.example.evil', ['intranet.example'], false],
    ['', [''], false],
  ])('%s in %p -> %s', (host, list, expected) => {
    expect(isHostnameAllowedByList(host, list)).toBe(expected);
  });
});

describe('checkUrlSyntax', () => {
  it.each([
    ['file:///etc/passwd'],
    ['ftp://example.com/file'],
    ['javascript:alert(1)'],
    ['data:text/html,<script>alert(1)</script>'],
    ['chrome://settings'],
    ['ws://example.com/'],
    ['localhost:3000'],
  ])('rejects the scheme of %s', (raw) => {
    expect(checkUrlSyntax(raw, strict)).toEqual({
      ok: false,
      category: 'invalid_url',
      reason: 'only http and https URLs can be scanned',
    });
  });

  it.each([['example.com'], ['//example.com/path'], ['/relative/path']])('rejects scheme-less %s', (raw) => {
    const result = checkUrlSyntax(raw, strict);
    expect(result).toMatchObject({ ok: false, category: 'invalid_url' });
    expect(!result.ok && result.reason).toMatch(/http:\/\/ or https:\/\//);
  });

  it.each([['http://user:pass@example.com/'], ['https://user@example.com/'], ['http://:secret@example.com/']])(
    'rejects credentials in %s',
    (raw) => {
      expect(checkUrlSyntax(raw, { ...strict, allowPrivateTargets: true })).toEqual({
        ok: false,
        category: 'invalid_url',
        reason: 'URLs with credentials are not accepted',
      });
    },
  );

  it.each([[''], ['   '], ['\n\t']])('rejects empty input %p', (raw) => {
    expect(checkUrlSyntax(raw, strict)).toEqual({ ok: false, category: 'invalid_url', reason: 'URL is empty' });
  });

  it.each([['http://'], ['http://exa mple.com/'], ['http://1.2.3.4.5/'], ['https://[::1/'], ['http://[fe80::1%25eth0]/']])(
    'rejects unparseable %s',
    (raw) => {
      expect(checkUrlSyntax(raw, strict)).toMatchObject({ ok: false, category: 'invalid_url' });
    },
  );

  describe('length limit', () => {
    const prefix = 'http://example.com/';
    const ofLength = (n: number) => prefix + 'a'.repeat(n - prefix.length);

    it.each([
      [2047, true],
      [2048, true],
      [2049, false],
      [5000, false],
    ])('URL of %i characters -> ok=%s', (length, ok) => {
      const raw = ofLength(length);
      expect(raw).toHaveLength(length);
      const result = checkUrlSyntax(raw, strict);
      expect(result.ok).toBe(ok);
      if (!result.ok) {
        expect(result.category).toBe('invalid_url');
        expect(result.reason).toContain('2048');
      }
    });

    it('counts the percent-encoded form that is actually requested', () => {
      const raw = prefix + ' '.repeat(1000) + 'x';
      expect(raw.length).toBeLessThanOrEqual(2048);
      expect(checkUrlSyntax(raw, strict)).toMatchObject({ ok: false, category: 'invalid_url' });
    });

    it('honours a custom limit even with private targets allowed', () => {
      const policy = { ...strict, allowPrivateTargets: true, maxUrlLength: 30 };
      expect(checkUrlSyntax('http://example.com/abcdefghijk', policy).ok).toBe(true);
      expect(checkUrlSyntax('http://example.com/abcdefghijkl', policy)).toMatchObject({
        ok: false,
        reason: expect.stringContaining('30'),
      });
    });
  });

  it.each([
    ['http://127.0.0.1/', '127.0.0.1', 'loopback'],
    ['http://2130706433/', '127.0.0.1', 'loopback'],
    ['http://0x7f.1/', '127.0.0.1', 'loopback'],
    ['http://0x7f000001/', '127.0.0.1', 'loopback'],
    ['http://017700000001/', '127.0.0.1', 'loopback'],
    ['http://0177.0.0.1/', '127.0.0.1', 'loopback'],
    ['http://127.1/', '127.0.0.1', 'loopback'],
    ['http://127.0.0.1./', '127.0.0.1', 'loopback'],
    ['http://0/', '0.0.0.0', 'unspecified'],
    ['http://0.0.0.0:8080/', '0.0.0.0', 'unspecified'],
    ['http://10.0.0.5/', '10.0.0.5', 'private'],
    ['http://167772165/', '10.0.0.5', 'private'],
    ['http://100.64.1.1/', '100.64.1.1', 'cgnat'],
    ['http://169.254.169.254/latest/meta-data/', '169.254.169.254', 'link-local'],
    ['http://0xa9fea9fe/', '169.254.169.254', 'link-local'],
    ['http://172.20.0.1/', '172.20.0.1', 'private'],
    ['http://192.0.0.1/', '192.0.0.1', 'reserved'],
    ['https://192.168.0.1:8443/', '192.168.0.1', 'private'],
    ['http://198.18.5.5/', '198.18.5.5', 'benchmark'],
    ['http://224.0.0.251/', '224.0.0.251', 'multicast'],
    ['http://250.1.1.1/', '250.1.1.1', 'reserved'],
    ['http://255.255.255.255/', '255.255.255.255', 'broadcast'],
    ['http://[::]/', '::', 'unspecified'],
    ['http://[::1]:3000/', '::1', 'loopback'],
    ['http://[0:0:0:0:0:0:0:1]/', '::1', 'loopback'],
    ['http://[fd00::1]/', 'fd00::1', 'unique-local'],
    ['http://[fe80::1]/', 'fe80::1', 'link-local'],
    ['http://[ff02::1]/', 'ff02::1', 'multicast'],
    ['http://[2001:db8::1]/', '2001:db8::1', 'documentation'],
    ['http://[::ffff:127.0.0.1]/', '::ffff:127.0.0.1', 'ipv4-mapped loopback'],
    ['http://[::ffff:7f00:1]/', '::ffff:127.0.0.1', 'ipv4-mapped loopback'],
    ['http://[::ffff:169.254.169.254]/', '::ffff:169.254.169.254', 'ipv4-mapped link-local'],
    ['http://[::127.0.0.1]/', '::7f00:1', 'ipv4-compatible loopback'],
    ['http://[64:ff9b::10.0.0.1]/', '64:ff9b::a00:1', 'nat64 private'],
    ['http://[2002:a9fe:a9fe::1]/', '2002:a9fe:a9fe::1', '6to4 link-local'],
  ])('blocks %s as %s (%s)', (raw, address, range) => {
    expect(checkUrlSyntax(raw, strict)).toEqual({
      ok: false,
      category: 'blocked_target',
      reason: expect.stringMatching(new RegExp(`^target address ${escape(address)} is in an? ${escape(range)} range$`)),
    });
  });

  it('words the reason for a private address plainly', () => {
    expect(checkUrlSyntax('http://10.0.0.5/', strict)).toEqual({
      ok: false,
      category: 'blocked_target',
      reason: 'target address 10.0.0.5 is in a private range',
    });
  });

  it.each([
    ['http://localhost/'],
    ['http://localhost./'],
    ['http://LOCALHOST:8080/'],
    ['http://app.localhost/'],
    ['http://a.b.localhost./'],
  ])('blocks loopback name %s without DNS', (raw) => {
    expect(checkUrlSyntax(raw, strict)).toMatchObject({
      ok: false,
      category: 'blocked_target',
      reason: expect.stringMatching(/is a loopback name$/),
    });
  });

  it.each([
    ['http://localhost/', 'localhost'],
    ['http://localhost./', 'localhost'],
    ['http://localhost/', 'localhost.'],
    ['http://app.localhost/', 'APP.localhost'],
    ['http://localhost/', '127.0.0.0/8,::1/128'],
    ['http://localhost/', ANY_PRIVATE],
  ])('allows loopback name %s when listed (%s)', (raw, spec) => {
    expect(checkUrlSyntax(raw, policyFrom(spec)).ok).toBe(true);
  });

  it('keeps a loopback name blocked when only one of its addresses is allowed', () => {
    expect(checkUrlSyntax('http://localhost/', withAllowed('127.0.0.0/8')).ok).toBe(false);
    expect(checkUrlSyntax('http://localhost/', withAllowed('other.localhost')).ok).toBe(false);
  });

  it.each([
    ['http://127.0.0.1:3000/', '127.0.0.0/8'],
    ['http://2130706433/', '127.0.0.0/8'],
    ['http://[::ffff:127.0.0.1]/', '127.0.0.0/8'],
    ['http://10.1.42.7/', '10.1.0.0/16'],
    ['http://[fd12::1]/', 'fd00::/8'],
    ['http://[::1]/', '[::1]'],
    ['http://192.168.1.10/', '192.168.1.10'],
    ['http://169.254.169.254/', ANY_PRIVATE],
    ['http://[fe80::1]/', ANY_PRIVATE],
  ])('allows %s under %s', (raw, spec) => {
    expect(checkUrlSyntax(raw, policyFrom(spec)).ok).toBe(true);
  });

  it.each([
    ['http://10.2.0.1/', '10.1.0.0/16'],
    ['http://[fe80::1]/', 'fd00::/8'],
    ['http://127.0.0.1/', 'localhost'],
    ['http://10.1.0.1/', '10.1/16'],
  ])('still blocks %s under %s', (raw, spec) => {
    expect(checkUrlSyntax(raw, policyFrom(spec))).toMatchObject({ ok: false, category: 'blocked_target' });
  });

  it.each([
    ['https://example.com/page?q=1', 'example.com'],
    ['HTTP://Example.COM./', 'example.com.'],
    ['http://93.184.216.34/', '93.184.216.34'],
    ['http://[2606:2800:220:1::1]/', '2606:2800:220:1::1'],
    ['https://[::ffff:93.184.216.34]/', '::ffff:93.184.216.34'],
  ])('accepts %s with host %s', (raw, host) => {
    const result = checkUrlSyntax(raw, strict);
    expect(result).toMatchObject({ ok: true, host });
    expect(result.ok && result.url).toBeInstanceOf(URL);
  });
});

describe('checkUrlSafety', () => {
  it.each([[['93.184.216.34']], [['93.184.216.34', '2606:2800:220:1::1']], [['2606:2800:220:1::1']], [['::ffff:93.184.216.34']]])(
    'accepts a host resolving only to public addresses %p',
    async (addresses) => {
      const resolve = stubResolver({ 'example.com': addresses });
      const result = await checkUrlSafety('https://example.com/', strict, resolve);
      expect(result).toMatchObject({ ok: true, host: 'example.com' });
      expect(resolve).toHaveBeenCalledWith('example.com');
    },
  );

  it.each([
    [['93.184.216.34', '10.0.0.5'], '10.0.0.5', 'private'],
    [['2606:2800:220:1::1', '::1'], '::1', 'loopback'],
    [['127.0.0.1'], '127.0.0.1', 'loopback'],
    [['169.254.169.254', '93.184.216.34'], '169.254.169.254', 'link-local'],
    [['93.184.216.34', '::ffff:7f00:1'], '::ffff:127.0.0.1', 'ipv4-mapped loopback'],
    [['93.184.216.34', '0x7f.1'], '127.0.0.1', 'loopback'],
    [['93.184.216.34', '2130706433'], '127.0.0.1', 'loopback'],
    [['fe80::1%eth0'], 'fe80::1', 'link-local'],
    [['fd00::5'], 'fd00::5', 'unique-local'],
  ])('rejects when any of %p is blocked', async (addresses, address, range) => {
    const result = await checkUrlSafety('https://rebind.example/', strict, stubResolver({ 'rebind.example': addresses }));
    const described = `${/^i/.test(range) ? 'an' : 'a'} ${range} range`;
    expect(result).toEqual({
      ok: false,
      category: 'blocked_target',
      // The client learns the kind of range, never the address: that would map the internal network for them.
      reason: `target host rebind.example resolves to an address that is not public (in ${described})`,
      detail: `target address ${address} is in ${described} (resolved from rebind.example)`,
    });
  });

  it('never puts a resolved address in the reason, only in the detail for the logs', async () => {
    const resolve = stubResolver({ 'postgres.internal': ['172.18.0.3'], 'odd.internal': ['not-an-ip'], 'v6.internal': ['fd12:3456::7'] });
    for (const host of ['postgres.internal', 'odd.internal', 'v6.internal']) {
      const result = await checkUrlSafety(`http://${host}:5432/`, strict, resolve);
      if (result.ok) throw new Error(`${host} was allowed`);
      expect(result.reason).not.toMatch(/\d+\.\d+\.\d+\.\d+|[0-9a-f]*:[0-9a-f:]+|not-an-ip/i);
      expect(result.reason).toContain(host);
      expect(result.detail).toMatch(/172\.18\.0\.3|not-an-ip|fd12:3456::7/);
    }
  });

  it('fails closed on an address the resolver mangled', async () => {
    const result = await checkUrlSafety('http://odd.example/', strict, stubResolver({ 'odd.example': ['93.184.216.34', 'nonsense'] }));
    expect(result).toMatchObject({ ok: false, category: 'blocked_target' });
  });

  it('allows resolved private addresses covered by a CIDR entry, but not others', async () => {
    const resolve = stubResolver({ 'intranet.example': ['10.1.2.3', 'fd00::3'], 'mixed.example': ['10.1.2.3', '10.9.9.9'] });
    const policy = withAllowed('10.1.0.0/16', 'fd00::/8');
    await expect(checkUrlSafety('http://intranet.example/', policy, resolve)).resolves.toMatchObject({ ok: true });
    await expect(checkUrlSafety('http://mixed.example/', policy, resolve)).resolves.toMatchObject({
      ok: false,
      reason: 'target host mixed.example resolves to an address that is not public (in a private range)',
      detail: 'target address 10.9.9.9 is in a private range (resolved from mixed.example)',
    });
  });

  it.each([
    ['http://intranet.example/', 'intranet.example'],
    ['http://INTRANET.example./', 'intranet.example'],
    ['http://anything.example/', ANY_PRIVATE],
    ['http://93.184.216.34/', 'unrelated.example'],
    ['http://localhost/', 'localhost'],
  ])('does not consult DNS for %s under %s', async (raw, spec) => {
    const resolve = stubResolver({});
    await expect(checkUrlSafety(raw, policyFrom(spec), resolve)).resolves.toMatchObject({ ok: true });
    expect(resolve).not.toHaveBeenCalled();
  });

  it.each([['http://127.0.0.1/'], ['http://localhost./'], ['ftp://example.com/'], ['http://u:p@example.com/']])(
    'returns the syntax rejection for %s without resolving',
    async (raw) => {
      const resolve = stubResolver({});
      await expect(checkUrlSafety(raw, strict, resolve)).resolves.toMatchObject({ ok: false });
      expect(resolve).not.toHaveBeenCalled();
    },
  );

  it('propagates a resolver failure unchanged so it can be retried', async () => {
    const failure = Object.assign(new Error('getaddrinfo ENOTFOUND nope.example'), { code: 'ENOTFOUND' });
    const resolve = jest.fn(async () => {
      throw failure;
    });
    await expect(checkUrlSafety('http://nope.example/', strict, resolve)).rejects.toBe(failure);
    await expect(checkUrlSafety('http://nope.example/', strict, resolve)).rejects.toMatchObject({ code: 'ENOTFOUND' });
  });

  it.each([['EAI_AGAIN'], ['ESERVFAIL']])('propagates transient %s errors', async (code) => {
    const resolve = jest.fn(async () => {
      throw Object.assign(new Error(code), { code });
    });
    await expect(checkUrlSafety('http://flaky.example/', strict, resolve)).rejects.toMatchObject({ code });
  });

  it('treats an empty answer as ENOTFOUND', async () => {
    await expect(checkUrlSafety('http://empty.example/', strict, async () => [])).rejects.toMatchObject({
      code: 'ENOTFOUND',
    });
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

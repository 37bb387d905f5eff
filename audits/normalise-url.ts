// PLACEHOLDER (auditapi branch): the real audits/normalise-url.ts is written on another branch and replaces this at
// merge. Only the signature the API compiles against.

/** The audited site's hosts: the start URL's host and its www. twin. */
export function siteHostsOf(startUrl: string): string[] {
  const host = new URL(startUrl).hostname;
  const twin = host.startsWith('www.') ? host.slice(4) : `www.${host}`;
  return [host, twin];
}

// PLACEHOLDER until the real one lands (branch report).
export function collectAuditFacts(targets: string[][], maxLinks: number): { links: string[]; skeleton: string; regions: Array<string | null> } {
  const links = Array.from(document.querySelectorAll('a[href]'))
    .map((a) => (a as HTMLAnchorElement).href)
    .filter((h) => /^https?:/.test(h));
  return { links: [...new Set(links)].slice(0, maxLinks), skeleton: 'x', regions: targets.map(() => null) };
}

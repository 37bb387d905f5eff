// What an audit needs from a rendered page, collected in one page.evaluate: the links to crawl (from the DOM the
// scan already rendered, no second fetch), a hash of the page's DOM skeleton (template detection) and the landmark
// each axe violation sits in (issues are grouped where they are fixed: "in the shared header").

export interface AuditPageFacts {
  /** Absolute URLs of a[href] and area[href] (fragment dropped), first occurrence order, at most maxLinks. */
  links: string[];
  /** 16 hex characters; pages of one template (same layout, other content or list lengths) share it. */
  skeleton: string;
  /** For each axe target given, the landmark its element sits in, or null. */
  regions: Array<string | null>;
}

/** Landmark names `regions` uses. */
export const REGIONS = ['header', 'navigation', 'footer', 'complementary', 'main'] as const;
export type Region = (typeof REGIONS)[number];

/**
 * Runs in the page (`page.evaluate(collectAuditFacts, targets, maxLinks)`): puppeteer sends its source text, so it
 * must not use anything from module scope or imports; every helper is declared inside it.
 */
export function collectAuditFacts(targets: string[][], maxLinks: number): AuditPageFacts {
  // Links ------------------------------------------------------------------------------------------------------
  const skippedSchemes = /^(javascript|mailto|tel|data):/i;
  const seen = new Set<string>();
  const links: string[] = [];
  for (const el of Array.from(document.querySelectorAll('a[href], area[href]'))) {
    if (links.length >= maxLinks) break;
    // SVG <a> has an SVGAnimatedString href: resolve its attribute against the document instead.
    const raw = (el as HTMLAnchorElement).href;
    let href = typeof raw === 'string' ? raw : '';
    if (!href) {
      try {
        href = new URL(el.getAttribute('href') ?? '', document.baseURI).href;
      } catch {
        continue;
      }
    }
    if (!href || skippedSchemes.test(href)) continue;
    const hash = href.indexOf('#');
    if (hash >= 0) href = href.slice(0, hash);
    if (seen.has(href)) continue;
    seen.add(href);
    links.push(href);
  }

  // Skeleton ---------------------------------------------------------------------------------------------------
  const MAX_DEPTH = 5;
  const SKIPPED = new Set(['script', 'style', 'noscript', 'template', 'svg', 'link', 'meta']);
  const LANDMARK_ROLES = new Set(['banner', 'navigation', 'main', 'contentinfo', 'complementary', 'search', 'form', 'region']);
  const shape = (el: Element, depth: number): string => {
    const tag = el.tagName.toLowerCase();
    const role = (el.getAttribute('role') ?? '').trim().toLowerCase();
    const self = LANDMARK_ROLES.has(role) ? `${tag}[${role}]` : tag;
    if (depth >= MAX_DEPTH) return self;
    // Distinct child shapes, sorted: 3 or 30 list items, or paragraphs and headings in another order, are the same
    // layout. What makes templates differ is which structures exist, not how many times content repeats them.
    const kids = new Set<string>();
    for (const child of Array.from(el.children)) {
      if (!SKIPPED.has(child.tagName.toLowerCase())) kids.add(shape(child, depth + 1));
    }
    return kids.size ? `${self}(${[...kids].sort().join(',')})` : self;
  };
  const fnv1a = (text: string, seed: number): string => {
    let h = seed >>> 0;
    for (let i = 0; i < text.length; i++) {
      h ^= text.charCodeAt(i);
      h = Math.imul(h, 0x01000193) >>> 0;
    }
    return (h >>> 0).toString(16).padStart(8, '0');
  };
  const outline = document.body ? shape(document.body, 0) : '';
  const skeleton = fnv1a(outline, 0x811c9dc5) + fnv1a(outline, 0x5bd1e995);

  // Regions ----------------------------------------------------------------------------------------------------
  // A <header>/<footer> is the page's banner/contentinfo only outside sectioning content and main (HTML-AAM).
  const SECTIONING =
    'article, aside, main, nav, section, [role=main], [role=article], [role=complementary], [role=navigation], [role=region]';
  const closestLandmark = (el: Element, role: string, tag: string): Element | null => {
    let at: Element | null = el.closest(`${tag}, [role=${role}]`);
    while (at) {
      const explicit = (at.getAttribute('role') ?? '').trim().toLowerCase();
      if (explicit === role) return at;
      const scoped = tag === 'header' || tag === 'footer';
      if (at.tagName.toLowerCase() === tag && !explicit && !(scoped && at.parentElement?.closest(SECTIONING))) return at;
      at = at.parentElement ? at.parentElement.closest(`${tag}, [role=${role}]`) : null;
    }
    return null;
  };
  const LANDMARKS: Array<[string, string, string]> = [
    ['header', 'banner', 'header'],
    ['navigation', 'navigation', 'nav'],
    ['footer', 'contentinfo', 'footer'],
    ['complementary', 'complementary', 'aside'],
    ['main', 'main', 'main'],
  ];
  const regions = targets.map((target): string | null => {
    let el: Element | null = null;
    try {
      el = target.length ? document.querySelector(target[0]) : null;
    } catch {
      return null;
    }
    if (!el) return null;
    for (const [name, role, tag] of LANDMARKS) if (closestLandmark(el, role, tag)) return name;
    return null;
  });

  return { links, skeleton, regions };
}

/**
 * `collectAuditFacts(targets, maxLinks)` as a script for `page.evaluate(string)`, which is how workers call it. Run
 * through tsx (esbuild's keepNames), its source text calls `__name(helper, "shape")` for the helpers declared inside
 * it, and the page has no `__name`: the script declares a no-op one around the call (jest's swc adds none, which is
 * why only a real worker process ever failed, with "__name is not defined").
 */
export function collectAuditFactsScript(targets: string[][], maxLinks: number): string {
  const args = `${JSON.stringify(targets)}, ${JSON.stringify(maxLinks)}`;
  return `(() => { const __name = (fn) => fn; return (${collectAuditFacts.toString()})(${args}); })()`;
}

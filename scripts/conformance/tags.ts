// Pure: which axe-core tags a scan must request so that every axe rule the manifest maps runs. The API only takes
// tags (axe's runOnly type "tag"), and axe-core 4.14 tags only some of its ACT implementations `ACT`.

export interface AxeRuleInfo {
  ruleId: string;
  tags: readonly string[];
}

export interface TagChoice {
  tags: string[];
  /** Tags added beyond the base ones, and the mapped rules that needed them. */
  added: Array<{ tag: string; rules: string[] }>;
  /** Mapped rule ids this axe-core does not have: their cases can only read as `passed`. */
  unknownRules: string[];
  /** Mapped rules no accepted tag can select (none today). */
  unrunnableRules: string[];
}

/** The tags `POST /api/scans` accepts (letters, digits and `-`); `cat.color` and the like are refused. */
const API_TAG = /^[a-z0-9-]+$/i;

/**
 * axe-core's own matchTags for runOnly `{ type: 'tag' }`: a rule runs when it has a requested tag and none of the
 * default-excluded ones (`experimental`, `deprecated`) that were not requested themselves.
 */
export function ruleRuns(ruleTags: readonly string[], requested: readonly string[], tagExclude: readonly string[]): boolean {
  const exclude = tagExclude.filter((t) => !requested.includes(t));
  return requested.some((t) => ruleTags.includes(t)) && exclude.every((t) => !ruleTags.includes(t));
}

// Prefer the standard level tags (wcag2a, wcag21a, wcag2aaa…), then best-practice, then whatever the rule has.
function preference(tag: string): number {
  if (/^wcag\d+a+$/.test(tag)) return 0;
  if (tag === 'best-practice') return 1;
  return 2;
}

/** Starts from `base` (those some axe rule carries) and adds, per uncovered mapped rule, one of its own tags. */
export function chooseTags(
  mappedRuleIds: Iterable<string>,
  axeRules: readonly AxeRuleInfo[],
  tagExclude: readonly string[],
  base: readonly string[] = ['ACT'],
): TagChoice {
  const byId = new Map(axeRules.map((r) => [r.ruleId, r]));
  const mapped = [...new Set(mappedRuleIds)].sort();
  const unknownRules = mapped.filter((id) => !byId.has(id));
  // axe throws "could not find tags" for a tag no rule has.
  const baseTags = base.filter((t) => axeRules.some((r) => r.tags.includes(t)));
  const tags = [...baseTags];
  const unrunnableRules: string[] = [];

  for (const id of mapped) {
    const rule = byId.get(id);
    if (!rule || ruleRuns(rule.tags, tags, tagExclude)) continue;
    // An experimental rule runs only when `experimental` itself is requested.
    for (const t of tagExclude) if (rule.tags.includes(t) && !tags.includes(t)) tags.push(t);
    if (ruleRuns(rule.tags, tags, tagExclude)) continue;
    const pick = rule.tags.filter((t) => API_TAG.test(t)).sort((a, b) => preference(a) - preference(b))[0];
    if (pick === undefined) unrunnableRules.push(id);
    else tags.push(pick);
  }

  const needy = mapped.filter((id) => byId.has(id) && !ruleRuns(byId.get(id)!.tags, baseTags, tagExclude));
  const added = tags
    .filter((t) => !baseTags.includes(t))
    .map((tag) => ({ tag, rules: needy.filter((id) => byId.get(id)!.tags.includes(tag)) }));
  return { tags, added, unknownRules, unrunnableRules };
}

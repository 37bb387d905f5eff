// Pure: checks an axe-core result's shape before anything is stored or scored. Our axe runs in an isolated world the
// page cannot reach, but everything it reports (HTML, selectors, messages, check data) is copied from a DOM the page
// controls, and the result crosses a process boundary as JSON. So:
//  - a result that axe-core itself could never produce (wrong types, an unknown impact, a non-http(s) help URL, a
//    malformed rule id, more rules than axe-core has) is REJECTED as a whole: a ScanFailure in category `internal`;
//  - sizes a hostile DOM can legitimately blow up (string lengths, nodes per rule, related nodes, check data) are
//    TRUNCATED, and each truncation is listed so the stored result says what was cut.
import type { AxeResults } from 'axe-core';
import { FailureCategory } from '../../core/contracts';
import { IMPACTS } from '../../core/scoring';
import { ScanFailure } from '../scan-errors';

export const AXE_RESULT_LIMITS = {
  /** Rules per result type; axe-core 4.14 has ~105 rules in total. */
  maxRules: 400,
  /** Failing elements kept per rule (stored rules keep 50; the score counts 11 at most). */
  maxNodesPerRule: 1_000,
  /** Related nodes kept per check. */
  maxRelatedNodes: 20,
  /** Checks kept per node in each of any/all/none. */
  maxChecks: 200,
  /** Frame (and shadow-root) depth of a target selector; deeper is rejected (we test 30 nested frames at most). */
  maxTargetDepth: 256,
  maxHtml: 2_000,
  maxSelector: 1_000,
  maxMessage: 2_000,
  maxShortText: 500,
  maxTags: 50,
  /** JSON length of a check's `data`; larger data is replaced by null. */
  maxCheckDataJson: 4_000,
} as const;

const RESULT_TYPES = ['violations', 'incomplete', 'passes', 'inapplicable'] as const;
const RULE_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$/;

export interface ValidatedAxeResults {
  results: AxeResults;
  /** Human-readable notes of what was cut, e.g. "color-contrast: 1000 of 4212 nodes kept"; empty when nothing was. */
  truncated: string[];
}

class Invalid extends Error {}

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function fail(where: string, what: string): never {
  throw new Invalid(`${where}: ${what}`);
}

function cut(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}

class Validator {
  readonly truncated: string[] = [];
  private stringsCut = 0;

  text(v: unknown, where: string, max: number, optional = false): string | undefined {
    if (v === undefined || v === null) {
      if (optional) return undefined;
      fail(where, 'missing');
    }
    if (typeof v !== 'string') fail(where, `expected a string, got ${typeof v}`);
    if (v.length > max) this.stringsCut++;
    return cut(v, max);
  }

  impact(v: unknown, where: string): string | null {
    if (v === undefined || v === null) return null;
    if (typeof v !== 'string' || !(IMPACTS as readonly string[]).includes(v))
      fail(where, `unknown impact ${JSON.stringify(v).slice(0, 40)}`);
    return v;
  }

  helpUrl(v: unknown, where: string): string {
    const s = this.text(v, where, AXE_RESULT_LIMITS.maxMessage)!;
    let url: URL;
    try {
      url = new URL(s);
    } catch {
      fail(where, 'not a URL');
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') fail(where, `help URL must be http(s), got ${url.protocol}`);
    return s;
  }

  /** axe targets: an array of selectors; a selector inside frames or shadow roots is itself an array of strings. */
  target(v: unknown, where: string): unknown[] {
    if (!Array.isArray(v)) fail(where, 'target is not an array');
    if (v.length > AXE_RESULT_LIMITS.maxTargetDepth) fail(where, `target is ${v.length} levels deep`);
    return v.map((part, i) => {
      if (typeof part === 'string') return this.text(part, where, AXE_RESULT_LIMITS.maxSelector);
      if (Array.isArray(part) && part.length <= AXE_RESULT_LIMITS.maxTargetDepth) {
        return part.map((s) => this.text(s, `${where}[${i}]`, AXE_RESULT_LIMITS.maxSelector));
      }
      return fail(where, 'target part is neither a selector nor a list of selectors');
    });
  }

  relatedNode(v: unknown, where: string): Obj {
    if (!isObj(v)) fail(where, 'related node is not an object');
    return { ...v, html: this.text(v.html, where, AXE_RESULT_LIMITS.maxHtml, true) ?? '', target: this.target(v.target ?? [], where) };
  }

  checks(v: unknown, where: string): Obj[] {
    if (v === undefined) return [];
    if (!Array.isArray(v)) fail(where, 'checks are not an array');
    // Checks merge across frames in finishRun (bypass on a page with 30 nested frames has ~60): cut, don't reject.
    if (v.length > AXE_RESULT_LIMITS.maxChecks) this.truncated.push(`${where}: ${AXE_RESULT_LIMITS.maxChecks} of ${v.length} checks kept`);
    return v.slice(0, AXE_RESULT_LIMITS.maxChecks).map((c) => {
      if (!isObj(c)) fail(where, 'check is not an object');
      const id = this.text(c.id, `${where}.id`, AXE_RESULT_LIMITS.maxShortText)!;
      const related = Array.isArray(c.relatedNodes) ? c.relatedNodes : [];
      if (related.length > AXE_RESULT_LIMITS.maxRelatedNodes) {
        this.truncated.push(`${where} ${id}: ${AXE_RESULT_LIMITS.maxRelatedNodes} of ${related.length} related nodes kept`);
      }
      let data = c.data ?? null;
      const json = JSON.stringify(data) ?? 'null';
      if (json.length > AXE_RESULT_LIMITS.maxCheckDataJson) {
        this.truncated.push(`${where} ${id}: check data of ${json.length} characters dropped`);
        data = null;
      }
      return {
        ...c,
        id,
        impact: this.impact(c.impact, `${where}.impact`),
        message: this.text(c.message, `${where}.message`, AXE_RESULT_LIMITS.maxMessage, true) ?? '',
        data,
        relatedNodes: related.slice(0, AXE_RESULT_LIMITS.maxRelatedNodes).map((n) => this.relatedNode(n, where)),
      };
    });
  }

  node(v: unknown, where: string): Obj {
    if (!isObj(v)) fail(where, 'node is not an object');
    return {
      ...v,
      html: this.text(v.html, `${where}.html`, AXE_RESULT_LIMITS.maxHtml, true) ?? '',
      target: this.target(v.target, `${where}.target`),
      impact: this.impact(v.impact, `${where}.impact`),
      failureSummary: this.text(v.failureSummary, `${where}.failureSummary`, AXE_RESULT_LIMITS.maxMessage, true),
      any: this.checks(v.any, `${where}.any`),
      all: this.checks(v.all, `${where}.all`),
      none: this.checks(v.none, `${where}.none`),
    };
  }

  rule(v: unknown, where: string, seen: Set<string>): Obj {
    if (!isObj(v)) fail(where, 'rule is not an object');
    if (typeof v.id !== 'string' || !RULE_ID.test(v.id)) fail(where, 'malformed rule id');
    if (seen.has(v.id)) fail(where, `rule ${v.id} reported twice`);
    seen.add(v.id);
    const at = `${where} ${v.id}`;
    if (!Array.isArray(v.tags) || v.tags.length > AXE_RESULT_LIMITS.maxTags) fail(at, 'tags are not a short array');
    if (!Array.isArray(v.nodes)) fail(at, 'nodes are not an array');
    if (v.nodes.length > AXE_RESULT_LIMITS.maxNodesPerRule) {
      this.truncated.push(`${v.id}: ${AXE_RESULT_LIMITS.maxNodesPerRule} of ${v.nodes.length} nodes kept`);
    }
    return {
      ...v,
      impact: this.impact(v.impact, `${at}.impact`),
      tags: v.tags.map((t) => this.text(t, `${at}.tags`, 100)),
      description: this.text(v.description, `${at}.description`, AXE_RESULT_LIMITS.maxShortText, true) ?? '',
      help: this.text(v.help, `${at}.help`, AXE_RESULT_LIMITS.maxShortText)!,
      helpUrl: this.helpUrl(v.helpUrl, `${at}.helpUrl`),
      nodes: v.nodes.slice(0, AXE_RESULT_LIMITS.maxNodesPerRule).map((n, i) => this.node(n, `${at}.nodes[${i}]`)),
    };
  }

  results(v: unknown): AxeResults {
    if (!isObj(v)) fail('result', 'not an object');
    const out: Obj = { ...v };
    for (const type of RESULT_TYPES) {
      const rules = v[type];
      if (rules === undefined && (type === 'passes' || type === 'inapplicable')) continue;
      if (!Array.isArray(rules)) fail(type, 'not an array');
      if (rules.length > AXE_RESULT_LIMITS.maxRules) fail(type, `${rules.length} rules (axe-core has about 105)`);
      const seen = new Set<string>();
      out[type] = rules.map((r) => this.rule(r, type, seen));
    }
    if (this.stringsCut > 0) this.truncated.push(`${this.stringsCut} over-long strings shortened`);
    return out as unknown as AxeResults;
  }
}

/** Returns a bounded copy of an axe result, or throws a ScanFailure in category `internal` when it is malformed. */
export function validateAxeResults(raw: unknown): ValidatedAxeResults {
  const v = new Validator();
  try {
    return { results: v.results(raw), truncated: v.truncated };
  } catch (err) {
    if (!(err instanceof Invalid)) throw err;
    // Our own axe cannot produce this: a bug, or a page that found a way to tamper with it. Never score it.
    throw new ScanFailure(FailureCategory.Internal, `axe-core result rejected: ${cut(err.message, 300)}`, true);
  }
}

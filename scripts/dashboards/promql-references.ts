// What a PromQL expression refers to: the series selectors (metric name and label matchers) and the labels named in
// `by` / `without` / `on` / `ignoring` / `group_left` / `group_right` clauses. Small on purpose: it lexes the whole
// language, but understands only what a reference check needs, and refuses what it cannot follow (functions that make
// new labels) instead of guessing. Reference: https://prometheus.io/docs/prometheus/latest/querying/basics/

export type MatchOp = '=' | '!=' | '=~' | '!~';

export interface LabelMatcher {
  label: string;
  op: MatchOp;
  value: string;
}

export interface SeriesSelector {
  /** The metric name (from the name before the braces or a `__name__="…"` matcher). */
  metric: string;
  /** The other matchers. */
  matchers: LabelMatcher[];
}

export interface Grouping {
  clause: 'by' | 'without' | 'on' | 'ignoring' | 'group_left' | 'group_right';
  labels: string[];
  /**
   * The selectors whose series must carry these labels: an aggregation's argument; for vector matching
   * (`on`, `ignoring`, `group_*`) every selector of the expression, since either side may be the one that has them.
   */
  scope: SeriesSelector[];
}

export interface PromqlReferences {
  selectors: SeriesSelector[];
  groupings: Grouping[];
  /** True when an aggregation operator (sum, max, count…) is applied anywhere. */
  aggregates: boolean;
}

export class PromqlSyntaxError extends Error {
  constructor(
    message: string,
    readonly expr: string,
  ) {
    super(`${message} in: ${expr}`);
    this.name = 'PromqlSyntaxError';
  }
}

type TokenKind = 'ident' | 'string' | 'number' | 'duration' | 'op' | '(' | ')' | '{' | '}' | '[' | ']' | ',' | ':' | '@';
interface Token {
  kind: TokenKind;
  text: string;
}

const AGGREGATIONS = new Set([
  'sum',
  'min',
  'max',
  'avg',
  'group',
  'stddev',
  'stdvar',
  'count',
  'count_values',
  'bottomk',
  'topk',
  'quantile',
  'limitk',
  'limit_ratio',
]);
const GROUPING_CLAUSES = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right']);
const KEYWORDS = new Set([...GROUPING_CLAUSES, 'bool', 'and', 'or', 'unless', 'atan2', 'offset', 'inf', 'nan']);
// They write labels the scraped series do not have: a reference check cannot follow them, so it refuses.
const LABEL_WRITING_FUNCTIONS = new Set(['label_replace', 'label_join']);

const IDENT = /[a-zA-Z_:][a-zA-Z0-9_:]*/y;
const NUMBER = /(?:0x[0-9a-fA-F]+|\d*\.?\d+(?:[eE][+-]?\d+)?)/y;
const DURATION = /(?:\d+(?:ms|s|m|h|d|w|y))+/y;
const OPERATOR = /=~|!~|!=|==|<=|>=|[=<>+\-*/%^]/y;

function lex(expr: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const at = (re: RegExp) => {
    re.lastIndex = i;
    const m = re.exec(expr);
    return m ? m[0] : null;
  };
  while (i < expr.length) {
    const c = expr[i];
    if (/\s/.test(c)) {
      i++;
    } else if (c === '#') {
      while (i < expr.length && expr[i] !== '\n') i++;
    } else if (c === '"' || c === "'" || c === '`') {
      let j = i + 1;
      let value = '';
      while (j < expr.length && expr[j] !== c) {
        if (expr[j] === '\\' && c !== '`') {
          const next = expr[j + 1];
          value += next === 'n' ? '\n' : next === 't' ? '\t' : next;
          j += 2;
        } else value += expr[j++];
      }
      if (j >= expr.length) throw new PromqlSyntaxError('unterminated string', expr);
      tokens.push({ kind: 'string', text: value });
      i = j + 1;
    } else if ('(){}[],:@'.includes(c)) {
      tokens.push({ kind: c as TokenKind, text: c });
      i++;
    } else {
      const duration = at(DURATION);
      const number = at(NUMBER);
      // A duration wins over the number it starts with (5m, not 5 then m).
      if (duration && duration.length >= (number?.length ?? 0)) {
        tokens.push({ kind: 'duration', text: duration });
        i += duration.length;
        continue;
      }
      if (number) {
        tokens.push({ kind: 'number', text: number });
        i += number.length;
        continue;
      }
      const ident = at(IDENT);
      if (ident) {
        tokens.push({ kind: 'ident', text: ident });
        i += ident.length;
        continue;
      }
      const op = at(OPERATOR);
      if (!op) throw new PromqlSyntaxError(`unexpected character ${JSON.stringify(c)}`, expr);
      tokens.push({ kind: 'op', text: op });
      i += op.length;
    }
  }
  return tokens;
}

/** The index of the bracket closing the one at `open`. */
function closing(tokens: Token[], open: number, expr: string): number {
  const pairs: Record<string, string> = { '(': ')', '{': '}', '[': ']' };
  const want = pairs[tokens[open].kind];
  let depth = 0;
  for (let i = open; i < tokens.length; i++) {
    if (tokens[i].kind === tokens[open].kind) depth++;
    else if (tokens[i].kind === want && --depth === 0) return i;
  }
  throw new PromqlSyntaxError(`unbalanced ${tokens[open].kind}`, expr);
}

/** `(a, b)` at `open`: the label names and the index of `)`. */
function labelList(tokens: Token[], open: number, expr: string): { labels: string[]; end: number } {
  if (tokens[open]?.kind !== '(') throw new PromqlSyntaxError('expected a label list', expr);
  const end = closing(tokens, open, expr);
  const labels: string[] = [];
  for (let i = open + 1; i < end; i++) {
    if (tokens[i].kind === ',') continue;
    if (tokens[i].kind !== 'ident' && tokens[i].kind !== 'string') throw new PromqlSyntaxError('expected a label name', expr);
    labels.push(tokens[i].text);
  }
  return { labels, end };
}

/** `{l="v", …}` at `open`: the matchers and the index of `}`. */
function matcherList(tokens: Token[], open: number, expr: string): { matchers: LabelMatcher[]; end: number } {
  const end = closing(tokens, open, expr);
  const matchers: LabelMatcher[] = [];
  for (let i = open + 1; i < end;) {
    if (tokens[i].kind === ',') {
      i++;
      continue;
    }
    const [label, op, value] = [tokens[i], tokens[i + 1], tokens[i + 2]];
    if ((label?.kind !== 'ident' && label?.kind !== 'string') || op?.kind !== 'op' || value?.kind !== 'string')
      throw new PromqlSyntaxError('expected label matchers', expr);
    if (!['=', '!=', '=~', '!~'].includes(op.text)) throw new PromqlSyntaxError(`unknown matcher ${op.text}`, expr);
    matchers.push({ label: label.text, op: op.text as MatchOp, value: value.text });
    i += 3;
  }
  return { matchers, end };
}

/** Pure: every selector and grouping clause of a PromQL expression. Throws PromqlSyntaxError on what it cannot read. */
export function promqlReferences(expr: string): PromqlReferences {
  const tokens = lex(expr);
  // Selectors with the token index they start at, to place them inside an aggregation's argument.
  const found: Array<{ at: number; selector: SeriesSelector }> = [];
  const pending: Array<{ clause: Grouping['clause']; labels: string[]; from: number; to: number }> = [];
  let aggregates = false;
  // Tokens already read as part of a trailing `by (…)` clause: the walk must not take its labels for metrics.
  const read = new Set<number>();

  const aggregationArgument = (open: number) => ({ from: open, to: closing(tokens, open, expr) });

  for (let i = 0; i < tokens.length; i++) {
    if (read.has(i)) continue;
    const tok = tokens[i];
    const next = tokens[i + 1];
    if (tok.kind === '[') {
      i = closing(tokens, i, expr); // a range or subquery: durations only
      continue;
    }
    if (tok.kind === '{') {
      const { matchers, end } = matcherList(tokens, i, expr);
      const name = matchers.find((m) => m.label === '__name__' && m.op === '=');
      if (!name) throw new PromqlSyntaxError('a selector without a metric name', expr);
      found.push({ at: i, selector: { metric: name.value, matchers: matchers.filter((m) => m !== name) } });
      i = end;
      continue;
    }
    if (tok.kind !== 'ident') continue;
    const word = tok.text;
    if (LABEL_WRITING_FUNCTIONS.has(word)) throw new PromqlSyntaxError(`${word}() writes labels; not supported by this check`, expr);
    if (AGGREGATIONS.has(word) && (next?.kind === '(' || GROUPING_CLAUSES.has(next?.text ?? ''))) {
      aggregates = true;
      if (next.kind === '(') {
        // sum(expr) [by (labels)]
        const arg = aggregationArgument(i + 1);
        const after = tokens[arg.to + 1];
        if (after && (after.text === 'by' || after.text === 'without')) {
          const { labels, end } = labelList(tokens, arg.to + 2, expr);
          pending.push({ clause: after.text, labels, ...arg });
          for (let k = arg.to + 1; k <= end; k++) read.add(k);
        }
      } else {
        // sum by (labels) (expr)
        const { labels, end } = labelList(tokens, i + 2, expr);
        const arg = aggregationArgument(end + 1);
        pending.push({ clause: next.text as 'by' | 'without', labels, ...arg });
        i = end;
      }
      continue;
    }
    if (GROUPING_CLAUSES.has(word)) {
      // on / ignoring / group_left / group_right, each with an optional label list (group_left may have none).
      if (next?.kind === '(') {
        const { labels, end } = labelList(tokens, i + 1, expr);
        pending.push({ clause: word as Grouping['clause'], labels, from: 0, to: tokens.length });
        i = end;
      }
      continue;
    }
    if (word === 'offset') {
      i++; // its duration
      continue;
    }
    if (KEYWORDS.has(word) || next?.kind === '(') continue; // an operator keyword or a function call
    const selector: SeriesSelector = { metric: word, matchers: [] };
    if (next?.kind === '{') {
      const { matchers, end } = matcherList(tokens, i + 1, expr);
      selector.matchers = matchers;
      found.push({ at: i, selector });
      i = end;
    } else found.push({ at: i, selector });
  }
  return {
    selectors: found.map((f) => f.selector),
    groupings: pending.map((g) => ({
      clause: g.clause,
      labels: g.labels,
      scope: found.filter((f) => f.at > g.from && f.at < g.to).map((f) => f.selector),
    })),
    aggregates,
  };
}

/** Pure: the labels a Grafana legend format names (`{{taskqueue}}`). */
export function legendLabels(format: string | undefined): string[] {
  return [...(format ?? '').matchAll(/\{\{\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*\}\}/g)].map((m) => m[1]);
}

// The conformance command end to end (corpus server → HTTP API → Temporal → worker → Chromium → Postgres → HTTP
// API) over a four-case corpus written here, in the W3C ACT test-case layout the command reads.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatRun, runConformance, type ConformanceRun } from '../../scripts/conformance';

const RULE = { actRuleId: '23a2a8', actRuleName: 'Image has non-empty accessible name', axeRuleIds: ['image-alt', 'role-img-alt'] };
// A 1x1 transparent PNG, served as image/png from a root-relative asset path like the real corpus's.
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=', 'base64');
const page = (body: string, head = '<meta charset="utf-8">') =>
  `<!DOCTYPE html>\n<html lang="en">\n<head>${head}<title>ACT test case</title></head>\n<body>\n<p>Conformance fixture page with some text.</p>\n${body}\n</body>\n</html>\n`;

const CASES = [
  { id: 'no-alt', title: 'Failed Example 1', expected: 'failed', published: 'failed', html: page('<img src="/WAI/assets/w3c.png" />') },
  {
    id: 'alt',
    title: 'Passed Example 1',
    expected: 'passed',
    published: 'passed',
    html: page('<img src="/WAI/assets/w3c.png" alt="W3C logo" />'),
  },
  {
    id: 'no-image',
    title: 'Inapplicable Example 1',
    expected: 'inapplicable',
    published: 'inapplicable',
    html: page('<p>No images here.</p>'),
  },
  {
    // An alt of only U+3000 (ideographic space) fails image-alt. Without `charset=utf-8` on the response, Chromium
    // decodes this meta-less page as windows-1252, the alt becomes "ã€€" and the case would read as passed.
    id: 'non-ascii',
    title: 'Failed Example 2',
    expected: 'failed',
    published: 'untested',
    html: page('<p>Café crème, 日本語.</p>\n<img src="/WAI/assets/w3c.png" alt="\u3000" />', ''),
  },
] as const;

describe('conformance command (runConformance) over the real pipeline', () => {
  let dir: string;
  let run: ConformanceRun;
  const progress: string[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'conformance-corpus-'));
    mkdirSync(join(dir, 'testcases', RULE.actRuleId), { recursive: true });
    mkdirSync(join(dir, 'WAI', 'assets'), { recursive: true });
    writeFileSync(join(dir, 'WAI', 'assets', 'w3c.png'), PNG);
    const manifest = CASES.map((c) => {
      const path = `testcases/${RULE.actRuleId}/${c.id}.html`;
      writeFileSync(join(dir, path), c.html, 'utf8');
      return {
        ...RULE,
        testcaseId: c.id,
        testcaseTitle: c.title,
        path,
        expected: c.expected,
        axeOutcome: c.published,
        localServeIssues: [],
      };
    });
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest, null, 2));

    const address = process.env.TEST_TEMPORAL_ADDRESS;
    const db = process.env.TEST_DATABASE_URL;
    if (!address || !db) throw new Error('integration tests need the jest global setup (run them with `npm test`)');
    run = await runConformance({
      dir,
      // The test's own configuration, never .env: the throwaway database and the test Temporal server.
      env: {
        NODE_ENV: 'test',
        TEMPORAL_ADDRESS: address,
        DATABASE_URL: db,
        DATABASE_POOL_SIZE: '5',
        CHROME_PATH: process.env.CHROME_PATH ?? '/usr/bin/chromium',
      },
      logLevel: (process.env.TEST_LOG_LEVEL as 'silent' | undefined) ?? 'silent',
      concurrency: 2,
      timeoutMs: 30_000,
      progress: (line) => progress.push(line),
    });
  });
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('scores the ACT rule exactly: every case agrees with its expected outcome', () => {
    expect(run.summary.rules).toEqual([
      {
        actRuleId: RULE.actRuleId,
        actRuleName: RULE.actRuleName,
        cases: 4,
        agreeExpected: 4,
        agreePublished: 3,
        publishedCases: 3,
        cantTell: 0,
        errors: 0,
      },
    ]);
    expect(run.summary.totals).toEqual({
      rules: 1,
      cases: 4,
      agreeExpected: 4,
      agreePublished: 3,
      publishedCases: 3,
      cantTell: 0,
      errors: 0,
    });
  });

  it('derives each outcome from the stored scan, in manifest order', () => {
    expect(run.results.map((r) => [r.testcaseId, r.outcome, r.failedRules])).toEqual([
      ['no-alt', 'failed', ['image-alt']],
      ['alt', 'passed', []],
      ['no-image', 'passed', []],
      ['non-ascii', 'failed', ['image-alt']],
    ]);
    for (const r of run.results) {
      expect(r.scanId).toMatch(/^[0-9a-f-]{36}$/);
      expect(r.url).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:\\d+/${r.path}$`));
    }
    // untested in the published report: excluded from that comparison, not counted as a difference
    expect(run.results[3].agreesWithPublished).toBeNull();
  });

  it('ran on its own task queues with the ACT tag only, and reports axe-core and the setup', () => {
    expect(run.mode).toBe('in-process');
    expect(run.taskQueuePrefix).toMatch(/^conformance-[0-9a-f]{8}$/);
    expect(run.tags.tags).toEqual(['ACT']);
    expect(run.axeVersions).toEqual([run.localAxeVersion]);
    expect(progress[0]).toBe('axe tags: ACT');
    expect(progress.filter((l) => /^\[\d\/4\]/.test(l))).toHaveLength(4);
  });

  it('prints the table, the totals and that nothing differs from the published outcomes', () => {
    const text = formatRun(run);
    expect(text).toMatch(/^23a2a8\s+Image has non-empty accessible name\s+4\s+4\/4\s+3\/3\s+0\s+0$/m);
    expect(text).toContain('agree with expected (ACT):      4/4 (100.0 %)');
    expect(text).toContain("No case differs from axe-core's published outcome.");
  });
});

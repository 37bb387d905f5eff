// .env.example is the operator's list of settings: every variable lib/env.ts reads is there with a comment, and
// nothing there is a setting the app does not read (except the docker compose section, which compose reads).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..');
const example = readFileSync(join(ROOT, '.env.example'), 'utf8');
const envSource = readFileSync(join(ROOT, 'lib', 'env.ts'), 'utf8');
const compose = readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8');

const schemaStart = envSource.indexOf('const EnvSchema = z.object({');
const schemaKeys = new Set(
  [...envSource.slice(schemaStart, envSource.indexOf('\n});', schemaStart)).matchAll(/^\s{2}([A-Z][A-Z0-9_]+):/gm)].map((m) => m[1]),
);
const lines = example.split('\n');
const composeSection = lines.findIndex((l) => l.startsWith('# --- docker compose only'));
const nextSection = lines.findIndex((l, i) => i > composeSection && l.startsWith('# ---'));
/** `KEY=value` lines (not commented out), with their line index. */
const assigned = lines.flatMap((l, i) => (/^([A-Z][A-Z0-9_]*)=/.exec(l) ? [{ key: /^([A-Z][A-Z0-9_]*)=/.exec(l)![1], i }] : []));
const composeOnly = new Set(assigned.filter((a) => a.i > composeSection && a.i < nextSection).map((a) => a.key));

it('finds the schema and the compose section', () => {
  expect(schemaKeys.size).toBeGreaterThan(30);
  expect(schemaKeys.has('DATABASE_URL')).toBe(true);
  expect(composeSection).toBeGreaterThan(0);
  expect(composeOnly.has('POSTGRES_PASSWORD')).toBe(true);
});

it('lists every variable lib/env.ts reads', () => {
  const listed = new Set(assigned.map((a) => a.key));
  expect([...schemaKeys].filter((k) => !listed.has(k))).toEqual([]);
});

it('lists nothing the app does not read, outside the docker compose section', () => {
  expect(assigned.filter((a) => !schemaKeys.has(a.key) && !composeOnly.has(a.key)).map((a) => a.key)).toEqual([]);
  // and the compose section holds only what compose interpolates
  const interpolated = new Set([...compose.matchAll(/\$\{([A-Z_]+)/g)].map((m) => m[1]));
  expect([...composeOnly].filter((k) => !interpolated.has(k))).toEqual([]);
});

it('documents every variable docker-compose.yml interpolates', () => {
  const listed = new Set(assigned.map((a) => a.key));
  const interpolated = [...new Set([...compose.matchAll(/\$\{([A-Z_]+)/g)].map((m) => m[1]))];
  expect(interpolated.filter((k) => !listed.has(k) && !example.includes(`# ${k}=`))).toEqual([]);
});

it('puts a comment above every variable or group of variables', () => {
  const uncommented = assigned.filter(({ i }) => {
    for (let j = i - 1; j >= 0; j -= 1) {
      if (lines[j].startsWith('#')) return false;
      if (lines[j].trim() === '') return true;
    }
    return true;
  });
  // A group is a block of KEY= lines under one comment; a blank line ends it.
  expect(uncommented.map((a) => a.key)).toEqual([]);
});

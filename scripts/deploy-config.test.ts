// No Docker engine runs in CI, so this checks what can be checked without one: docker-compose.yml, the Dockerfile,
// the Temporal, Prometheus and Grafana files they mount, and that every reference among them resolves.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { PRIORITY_AND_FAIRNESS_FLAGS } from '../lib/temporal-dev-server';
import { SEARCH_ATTRIBUTE_KEYS } from '../core/contracts';

const ROOT = join(__dirname, '..');
const read = (p: string) => readFileSync(join(ROOT, p), 'utf8');
const yamlFile = (p: string) => {
  const docs = parseAllDocuments(read(p), { merge: true });
  expect(docs.flatMap((d) => d.errors)).toEqual([]);
  return parse(read(p), { merge: true }) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
};

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Service = Record<string, any>;
const compose = yamlFile('docker-compose.yml') as {
  services: Record<string, Service>;
  volumes: Record<string, unknown>;
  secrets: Record<string, unknown>;
};
const services = compose.services;
const APP = ['migrate', 'api', 'worker'];

/** The keys of lib/env.ts's schema, read from the source (importing it would not list optional keys). */
function envKeys(): Set<string> {
  const src = read('lib/env.ts');
  const body = src.slice(src.indexOf('const EnvSchema = z.object({'), src.indexOf('});', src.indexOf('const EnvSchema')));
  return new Set([...body.matchAll(/^\s{2}([A-Z][A-Z0-9_]+):/gm)].map((m) => m[1]));
}

/** `dist/api/main.js` → `api/main.ts`: what tsc compiles it from. */
const sourceOf = (distPath: string) => distPath.replace(/^dist\//, '').replace(/\.js$/, '.ts');

describe('docker-compose.yml', () => {
  it('has the whole stack, the monitoring profile and nothing else', () => {
    expect(Object.keys(services).sort()).toEqual(
      [
        'api',
        'grafana',
        'migrate',
        'postgres',
        'prometheus',
        'temporal',
        'temporal-schema',
        'temporal-setup',
        'temporal-ui',
        'worker',
      ].sort(),
    );
    expect(services.prometheus.profiles).toEqual(['monitoring']);
    expect(services.grafana.profiles).toEqual(['monitoring']);
    for (const name of Object.keys(services).filter((n) => !['prometheus', 'grafana'].includes(n)))
      expect(services[name].profiles).toBeUndefined();
  });

  it.each(Object.keys(services))('%s has an image or a build context that exists', (name) => {
    const s = services[name];
    expect(s.image ?? s.build).toBeDefined();
    if (s.build) expect(existsSync(join(ROOT, typeof s.build === 'string' ? s.build : s.build.context, 'Dockerfile'))).toBe(true);
    if (typeof s.image === 'string' && !s.build) expect(s.image).toMatch(/^[a-z0-9./-]+:(\$\{[A-Z_]+:-[\w.-]+\}|[\w.-]+)$/);
  });

  it('runs the app services from one image with commands that are compiled from real sources', () => {
    for (const name of APP) {
      const s = services[name];
      expect(s.build).toBe('.');
      expect(s.command[0]).toBe('node');
      expect(existsSync(join(ROOT, sourceOf(s.command[1])))).toBe(true);
      expect(read('tsconfig.build.json')).toContain(`"${sourceOf(s.command[1]).split('/')[0]}"`);
    }
    expect(services.api.command).toEqual(['node', 'dist/api/main.js']);
    expect(services.worker.command).toEqual(['node', 'dist/workers/main.js']);
    expect(services.migrate.command).toEqual(['node', 'dist/scripts/migrate.js']);
  });

  it('passes the app only variables lib/env.ts knows (a typo would be silently ignored)', () => {
    const known = envKeys();
    for (const name of APP) {
      const unknown = Object.keys(services[name].environment).filter((k) => !known.has(k) && k !== 'NODE_OPTIONS');
      expect({ service: name, unknown }).toEqual({ service: name, unknown: [] });
    }
  });

  it('lets the worker scale: no container name, no host ports, a memory limit below which Chromium restarts', () => {
    const w = services.worker;
    expect(w.container_name).toBeUndefined();
    expect(w.ports).toBeUndefined();
    expect(w.mem_limit).toBeDefined();
    expect(w.environment.MAX_MEMORY_MB).toBeDefined();
    expect(w.environment.NODE_OPTIONS).toMatch(/--max-old-space-size=/);
    expect(services.api.environment.NODE_OPTIONS).toMatch(/--max-old-space-size=/);
    for (const s of Object.values(services)) expect(s.container_name).toBeUndefined();
  });

  it('orders startup with health checks and one-shot jobs', () => {
    for (const [name, s] of Object.entries(services)) {
      const deps = Array.isArray(s.depends_on)
        ? Object.fromEntries(s.depends_on.map((d: string) => [d, { condition: 'service_started' }]))
        : (s.depends_on ?? {});
      for (const [dep, { condition }] of Object.entries(deps as Record<string, { condition: string }>)) {
        expect({ name, dep, exists: dep in services }).toEqual({ name, dep, exists: true });
        if (condition === 'service_healthy')
          expect({ dep, healthcheck: Boolean(services[dep].healthcheck?.test) }).toEqual({ dep, healthcheck: true });
        if (condition === 'service_completed_successfully')
          expect({ dep, restart: services[dep].restart }).toEqual({ dep, restart: expect.stringMatching(/^(no|on-failure(:\d+)?)$/) });
      }
    }
    expect(services.api.depends_on).toMatchObject({
      migrate: { condition: 'service_completed_successfully' },
      'temporal-setup': { condition: 'service_completed_successfully' },
    });
    expect(services.worker.depends_on).toEqual(services.api.depends_on);
    expect(services.api.healthcheck.test).toEqual(['CMD', 'node', 'dist/scripts/healthcheck.js', 'api']);
    expect(services.worker.healthcheck.test).toEqual(['CMD', 'node', 'dist/scripts/healthcheck.js', 'worker']);
    expect(existsSync(join(ROOT, 'scripts/healthcheck.ts'))).toBe(true);
  });

  it('mounts only files and directories that exist, and declares every named volume and secret', () => {
    for (const [name, s] of Object.entries(services)) {
      for (const v of (s.volumes ?? []) as string[]) {
        const [src, target] = v.split(':');
        expect(target).toMatch(/^\//);
        if (src.startsWith('./')) expect({ name, src, exists: existsSync(join(ROOT, src)) }).toEqual({ name, src, exists: true });
        else expect({ name, volume: src, declared: src in compose.volumes }).toEqual({ name, volume: src, declared: true });
      }
      for (const secret of (s.secrets ?? []) as string[]) expect(compose.secrets[secret]).toBeDefined();
      for (const p of (s.ports ?? []) as string[]) expect(p).toMatch(/^(\$\{[A-Z_]+:-[\d.]+\}:|127\.0\.0\.1:)?\$\{[A-Z_]+:-\d+\}:\d+$/);
    }
  });

  it('gives Temporal the dynamic config npm start uses, and registers every search attribute', () => {
    const mount = (services.temporal.volumes as string[]).find((v) => v.includes('dynamicconfig'))!;
    const [src, target] = mount.split(':');
    const file = services.temporal.environment.DYNAMIC_CONFIG_FILE_PATH as string;
    expect(file.startsWith(`${target}/`)).toBe(true);
    const config = yamlFile(join(src, file.slice(target.length + 1)));
    const flags = PRIORITY_AND_FAIRNESS_FLAGS.filter((f) => f !== '--dynamic-config-value');
    expect(flags.length).toBeGreaterThan(0);
    for (const flag of flags) {
      const [key, value] = flag.split('=');
      expect({ key, value: config[key]?.[0]?.value }).toEqual({ key, value: JSON.parse(value) });
    }
    const setup = read('deploy/temporal/setup-namespace.sh');
    const registered = /for name in ([\w ]+); do/.exec(setup)![1].split(' ');
    expect(registered.sort()).toEqual(SEARCH_ATTRIBUTE_KEYS.map((k) => k.name).sort());
    for (const s of ['temporal-schema', 'temporal-setup']) expect(services[s].command[0]).toMatch(/^\/setup\/.+\.sh$/);
  });
});

describe('Dockerfile', () => {
  const dockerfile = read('Dockerfile');
  const lines = dockerfile.split('\n').filter((l) => !l.startsWith('#'));
  const ignored = read('.dockerignore')
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const BUILD_OUTPUTS = ['/app/dist', '/app/node_modules', '/app/generated'];

  it('copies only sources that exist and that .dockerignore does not drop', () => {
    const copies = lines.filter((l) => l.startsWith('COPY '));
    expect(copies.length).toBeGreaterThan(5);
    for (const line of copies) {
      const parts = line.split(/\s+/).slice(1);
      const from = parts[0].startsWith('--from=') ? parts.shift() : undefined;
      const sources = parts.slice(0, -1);
      for (const src of sources) {
        if (from) {
          expect(from).toBe('--from=build');
          if (BUILD_OUTPUTS.some((o) => src === o || src.startsWith(`${o}/`))) continue;
          expect({ src, exists: existsSync(join(ROOT, src.replace(/^\/app\//, ''))) }).toEqual({ src, exists: true });
        } else {
          expect({ src, exists: existsSync(join(ROOT, src)) }).toEqual({ src, exists: true });
          expect({ src, ignored: ignored.includes(src.replace(/\/$/, '')) }).toEqual({ src, ignored: false });
        }
      }
    }
  });

  it('builds in one stage and runs unprivileged under tini, with a health check, from the other', () => {
    // The image runs the Node line that package.json's engines and scripts/setup.sh install.
    expect(JSON.parse(read('package.json')).engines.node).toBe('>=24');
    expect(read('scripts/setup.sh')).toMatch(/^NODE_VERSION=24\./m);
    expect(lines.filter((l) => l.startsWith('FROM '))).toEqual(['FROM node:24-bookworm-slim AS build', 'FROM node:24-bookworm-slim']);
    expect(dockerfile).toMatch(/RUN npm run build/);
    expect(JSON.parse(read('package.json')).scripts.build).toMatch(/tsc -p tsconfig.build.json && tsx scripts\/build-workflow-bundle.ts/);
    expect(dockerfile).toMatch(/apt-get install[^\n]*\\\n[^\n]*chromium tini/);
    expect(dockerfile).toMatch(/fonts-/);
    expect(dockerfile).toMatch(/^RUN useradd [^\n]*--uid 10001 [^\n]*wcag$/m);
    expect(dockerfile).toMatch(/^USER 10001:10001$/m);
    expect(dockerfile).toContain('ENTRYPOINT ["/usr/bin/tini", "--"]');
    expect(dockerfile).toContain('HEALTHCHECK');
    expect(dockerfile).toContain('CMD ["node", "dist/api/main.js"]');
    // secrets come at run time: no key, database URL or .env file in any instruction
    expect(lines.join('\n')).not.toMatch(/ADMIN_API_KEY|DATABASE_URL=|\.env\b/);
  });
});

describe('Prometheus and Grafana', () => {
  const prometheus = yamlFile('deploy/prometheus/prometheus.yml');
  const metricsSource = read('lib/metrics.ts');
  const defined = new Set([...metricsSource.matchAll(/\$\{PREFIX\}([a-z_]+)|gauge\('([a-z_]+)'/g)].map((m) => `wcag_${m[1] ?? m[2]}`));

  it('scrapes the API with the mounted token, every worker replica, and Temporal', () => {
    const jobs = Object.fromEntries((prometheus.scrape_configs as Array<Record<string, any>>).map((j) => [j.job_name, j])); // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(jobs['wcag-api'].static_configs[0].targets).toEqual(['api:3001']);
    expect(jobs['wcag-api'].authorization.credentials_file).toBe(`/run/secrets/${services.prometheus.secrets[0]}`);
    expect(jobs['wcag-worker'].dns_sd_configs[0]).toMatchObject({
      names: ['worker'],
      type: 'A',
      port: Number(services.worker.environment.WORKER_METRICS_PORT),
    });
    expect(jobs['wcag-worker-sdk'].dns_sd_configs[0]).toMatchObject({
      names: ['worker'],
      type: 'A',
      port: Number(services.worker.environment.WORKER_SDK_METRICS_PORT),
    });
    expect(jobs.temporal.static_configs[0].targets).toEqual([
      `temporal:${services.temporal.environment.PROMETHEUS_ENDPOINT.split(':')[1]}`,
    ]);
  });

  it('provisions the datasource and a dashboard whose queries use metrics the code defines', () => {
    const ds = yamlFile('deploy/grafana/provisioning/datasources/prometheus.yml').datasources[0];
    expect(ds).toMatchObject({ type: 'prometheus', url: 'http://prometheus:9090' });
    const provider = yamlFile('deploy/grafana/provisioning/dashboards/wcag.yml').providers[0];
    const mount = (services.grafana.volumes as string[]).find((v) => v.endsWith(`:${provider.options.path}:ro`))!;
    const dir = mount.split(':')[0];
    expect(statSync(join(ROOT, dir)).isDirectory()).toBe(true);
    const dashboard = JSON.parse(read(join(dir, 'wcag.json'))) as {
      panels: Array<{ title: string; datasource: { uid: string }; targets: Array<{ expr: string }> }>;
    };
    const titles = dashboard.panels.map((p) => p.title).join(' | ');
    for (const topic of ['Throughput', 'Success rate', 'Failure categories', 'pool usage', 'Memory', 'Queue depth'])
      expect(titles).toContain(topic);
    for (const panel of dashboard.panels) {
      expect(panel.datasource.uid).toBe(ds.uid);
      for (const t of panel.targets) {
        for (const [name] of t.expr.matchAll(/\bwcag_[a-z_]+/g)) {
          const base = name.replace(/_(bucket|sum|count)$/, '');
          const ok = defined.has(base);
          expect({ panel: panel.title, metric: name, defined: ok }).toEqual({ panel: panel.title, metric: name, defined: true });
        }
      }
    }
  });
});

// Docker HEALTHCHECK for both roles of the image (no curl in the image): `node dist/scripts/healthcheck.js [api|worker]`.
// api: GET /healthz on PORT. worker: GET /metrics on WORKER_METRICS_PORT (served only while the worker runs);
// a worker with metrics off (port 0) has nothing to probe and counts as healthy while its process is alive.
// Exit 0 healthy, 1 not: Docker's HEALTHCHECK contract (2 is reserved there), unlike `wcag health`/health-check.sh,
// which follow the monitoring-plugin convention 0/1/2/3 (scripts/exit-status.ts).
import { DockerHealthExitStatus } from './exit-status';

const role = process.argv[2] ?? process.env.WCAG_ROLE ?? 'api';
const port = role === 'worker' ? Number(process.env.WORKER_METRICS_PORT ?? 9464) : Number(process.env.PORT ?? 3001);
const path = role === 'worker' ? '/metrics' : '/healthz';

async function probe(): Promise<number> {
  if (role !== 'api' && role !== 'worker') {
    process.stderr.write(`healthcheck: unknown role "${role}" (api or worker)\n`);
    return DockerHealthExitStatus.Unhealthy;
  }
  if (role === 'worker' && port === 0) return DockerHealthExitStatus.Healthy;
  try {
    const res = await fetch(`http://127.0.0.1:${port}${path}`, { signal: AbortSignal.timeout(4_000) });
    if (res.ok) return DockerHealthExitStatus.Healthy;
    process.stderr.write(`healthcheck: ${path} answered ${res.status}\n`);
  } catch (err) {
    process.stderr.write(`healthcheck: ${path} on port ${port}: ${(err as Error).message}\n`);
  }
  return DockerHealthExitStatus.Unhealthy;
}

void probe().then((code) => process.exit(code));

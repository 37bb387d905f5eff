import express from 'express';
import { Histogram, Registry } from 'prom-client';
import request from 'supertest';
import { httpMetrics, UNMATCHED_ROUTE } from './http-metrics';

function appWithMetrics() {
  const registry = new Registry();
  const httpRequestDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'test',
    labelNames: ['method', 'route', 'status_code'],
    registers: [registry],
  });
  const app = express();
  app.use(httpMetrics({ httpRequestDuration }));
  const scans = express.Router();
  scans.post('/', (_req, res) => void res.status(202).end());
  scans.get('/:id', (req, res) => void res.json({ id: req.params.id }));
  scans.get('/:id/fail', () => {
    throw new Error('boom');
  });
  const api = express.Router();
  api.use('/scans', scans);
  app.use('/api', api);
  app.get('/metrics', (_req, res) => void res.send('ok'));
  app.use((_req: express.Request, res: express.Response) => void res.status(404).end());
  app.use((_err: unknown, _req: express.Request, res: express.Response, _next: express.NextFunction) => void res.status(500).end());
  const counts = async () =>
    Object.fromEntries(
      (await httpRequestDuration.get()).values
        .filter((v) => v.metricName === 'http_request_duration_seconds_count')
        .map((v) => [`${v.labels.method} ${v.labels.route} ${v.labels.status_code}`, v.value]),
    );
  return { app, counts };
}

describe('HTTP request duration histogram', () => {
  it('labels requests with the route template, never the raw path, also when the route failed', async () => {
    const { app, counts } = appWithMetrics();
    await request(app).get('/api/scans/1').expect(200);
    await request(app).get('/api/scans/2').expect(200);
    await request(app).get('/api/scans/3/fail').expect(500);
    await request(app).post('/api/scans').expect(202);
    await request(app).get('/metrics').expect(200);
    await request(app).get('/no/such/path/42').expect(404);
    await request(app).get('/api/scans').expect(404);
    expect(await counts()).toEqual({
      'POST /api/scans 202': 1,
      'GET /api/scans/:id 200': 2,
      'GET /api/scans/:id/fail 500': 1,
      'GET /metrics 200': 1,
      [`GET ${UNMATCHED_ROUTE} 404`]: 2,
    });
  });
});

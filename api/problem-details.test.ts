import express from 'express';
import pino from 'pino';
import request from 'supertest';
import { HttpError, invalidField, unauthorized } from './http-errors';
import { errorHandler } from './middleware/error-handler';
import { ProblemDetails } from './problem-details';

/** An app whose one route throws `err`, behind the real error handler. */
function failingWith(err: unknown) {
  const app = express();
  app.use((req, _res, next) => {
    (req as { id?: string }).id = 'req-1';
    next();
  });
  app.get('/api/thing', () => {
    throw err;
  });
  app.use(errorHandler(pino({ level: 'silent' })));
  return app;
}

describe('problem details (RFC 9457)', () => {
  it('answers an HttpError as application/problem+json with the old members kept beside the standard ones', async () => {
    const res = await request(failingWith(unauthorized())).get('/api/thing?x=1').expect(401);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.headers['www-authenticate']).toBe('Bearer');
    expect(res.body).toEqual({
      type: 'urn:wcag-scanner:problem:unauthorized',
      title: 'Unauthorized',
      status: 401,
      detail: 'missing or invalid API key',
      instance: '/api/thing',
      error: 'unauthorized',
      message: 'missing or invalid API key',
      requestId: 'req-1',
    });
    expect(ProblemDetails.safeParse(res.body).success).toBe(true);
  });

  it('gives a 400 about a field its details.fields, with the deprecated flat copy only when asked', async () => {
    const flat = await request(failingWith(invalidField('url', 'blocked', { category: 'blocked_target' }, { flat: true }))).get(
      '/api/thing',
    );
    expect(flat.body.details).toEqual({
      field: 'url',
      category: 'blocked_target',
      fields: [{ field: 'url', message: 'blocked', category: 'blocked_target' }],
    });
    const plain = await request(failingWith(invalidField('limit', 'too big'))).get('/api/thing');
    expect(plain.body.details).toEqual({ fields: [{ field: 'limit', message: 'too big' }] });
    expect(ProblemDetails.safeParse(flat.body).success).toBe(true);
  });

  it('keeps extension members at the top level, but never over the standard members', async () => {
    const err = new HttpError(
      422,
      'no_valid_items',
      'every item was rejected',
      { total: 1 },
      {},
      { total: 1, status: 'rejected', rejected: [] },
    );
    const res = await request(failingWith(err)).get('/api/thing').expect(422);
    expect(res.body).toMatchObject({ status: 422, total: 1, rejected: [], error: 'no_valid_items', details: { total: 1 } });
  });

  it('hides anything that is not an HttpError behind a 500 with the request id', async () => {
    const res = await request(failingWith(new Error('connection string postgres://secret')))
      .get('/api/thing')
      .expect(500);
    expect(res.body).toMatchObject({ type: 'urn:wcag-scanner:problem:internal', status: 500, error: 'internal', requestId: 'req-1' });
    expect(JSON.stringify(res.body)).not.toContain('secret');
  });
});

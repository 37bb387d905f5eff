import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { z } from 'zod';
import { HttpError, invalidField, invalidFields } from '../http-errors';
import { describeZodError, validate } from './validate';

const zodError = (schema: z.ZodType, value: unknown): z.ZodError => {
  const parsed = schema.safeParse(value);
  if (parsed.success) throw new Error('expected the schema to reject the value');
  return parsed.error;
};

/** Runs the middleware against plain objects; returns what reached next() and res.locals. */
const run = (schemas: Parameters<typeof validate>[0], req: Partial<Record<'body' | 'params' | 'query', unknown>>) => {
  const res = { locals: {} as Record<string, unknown> };
  const next = jest.fn();
  validate(schemas)(req as unknown as Request, res as unknown as Response, next as NextFunction);
  return { next, locals: res.locals };
};

const Body = z.object({
  url: z.string().url(),
  priority: z.coerce.number().int().min(1).max(10).default(5),
  options: z.object({ timeoutMs: z.number().int().min(1000) }).optional(),
});
const Params = z.object({ id: z.string().uuid() });
const Query = z.object({ limit: z.coerce.number().int().max(100).default(20) });
const ID = '0b7c6a1e-8d3f-4f5e-9a2b-1c2d3e4f5a6b';

describe('describeZodError', () => {
  it.each<[string, z.ZodType, unknown, string]>([
    ['a top-level field', Body, { url: 'nope' }, 'url'],
    ['a nested field with a dotted path', Body, { url: 'https://a.example/', options: { timeoutMs: 5 } }, 'options.timeoutMs'],
    ['an array index', z.object({ tags: z.array(z.string()) }), { tags: ['ok', 3] }, 'tags.1'],
  ])('names %s', (_label, schema, value, field) => {
    const { message, fields } = describeZodError(zodError(schema, value));
    expect(fields.map((f) => f.field)).toEqual([field]);
    expect(message.startsWith(`${field}: `)).toBe(true);
  });

  it('names the body itself as "(body)" when the whole value is wrong', () => {
    const { message, fields } = describeZodError(zodError(Body, 'a string'));
    expect(fields).toEqual([{ field: '(body)', message: expect.any(String) }]);
    expect(message).toMatch(/^\(body\): /);
  });

  it('lists every issue as "field: problem", joined by "; "', () => {
    const { message, fields } = describeZodError(zodError(Body, { url: 'nope', priority: 11 }));
    expect(fields.map((f) => f.field)).toEqual(['url', 'priority']);
    expect(message).toBe(fields.map((f) => `${f.field}: ${f.message}`).join('; '));
    expect(message.split('; ')).toHaveLength(2);
  });
});

describe('validate', () => {
  it('stores the parsed (coerced, defaulted) values in res.locals.input and calls next() without an error', () => {
    const { next, locals } = run(
      { body: Body, params: Params, query: Query },
      { body: { url: 'https://a.example/', priority: '7' }, params: { id: ID }, query: {} },
    );
    expect(next).toHaveBeenCalledTimes(1);
    expect(next).toHaveBeenCalledWith();
    expect(locals.input).toEqual({
      body: { url: 'https://a.example/', priority: 7 },
      params: { id: ID },
      query: { limit: 20 },
    });
  });

  it('only parses the parts it has a schema for', () => {
    const { next, locals } = run({ params: Params }, { body: { anything: true }, params: { id: ID }, query: { x: '1' } });
    expect(next).toHaveBeenCalledWith();
    expect(locals.input).toEqual({ params: { id: ID } });
  });

  it('strips unknown keys from the stored input', () => {
    const { locals } = run({ body: Body }, { body: { url: 'https://a.example/', admin: true } });
    expect(locals.input).toEqual({ body: { url: 'https://a.example/', priority: 5 } });
  });

  it('parses a missing part as an empty object', () => {
    const { next, locals } = run({ query: Query }, {});
    expect(next).toHaveBeenCalledWith();
    expect(locals.input).toEqual({ query: { limit: 20 } });
  });

  it.each<[string, Parameters<typeof validate>[0], Parameters<typeof run>[1], string]>([
    ['body', { body: Body }, { body: { url: 'not a url' } }, 'url'],
    ['params', { params: Params, body: Body }, { params: { id: 'nope' }, body: { url: 'https://a.example/' } }, 'id'],
    ['query', { query: Query }, { query: { limit: '500' } }, 'limit'],
  ])('calls next(HttpError 400) naming the field when %s is invalid, and stores no input', (_part, schemas, req, field) => {
    const { next, locals } = run(schemas, req);
    expect(next).toHaveBeenCalledTimes(1);
    const err = next.mock.calls[0][0] as HttpError;
    expect(err).toBeInstanceOf(HttpError);
    expect(err).toMatchObject({ status: 400, code: 'bad_request' });
    expect(err.message).toMatch(new RegExp(`^${field}: `));
    expect(err.details).toEqual({ fields: [{ field, message: expect.any(String) }] });
    expect(locals).not.toHaveProperty('input');
  });

  it('reports the first invalid part in params, query, body order', () => {
    const { next } = run({ body: Body, params: Params }, { body: { url: 'bad' }, params: { id: 'bad' } });
    expect((next.mock.calls[0][0] as HttpError).message).toMatch(/^id: /);
  });
});

describe('validate with a handler', () => {
  it('runs the parser, the middleware in between, then the handler with the parsed input', async () => {
    const order: string[] = [];
    const between: RequestHandler = (_req, _res, next) => {
      order.push('between');
      next();
    };
    const handler = jest.fn((input: { body: { url: string; priority: number }; params: { id: string } }, _req: Request) => {
      order.push(`handler ${input.body.priority} ${input.params.id}`);
    });
    const chain = validate({ body: Body, params: Params }, [between], handler);
    expect(chain).toHaveLength(3);
    const req = { body: { url: 'https://a.example/', priority: '3' }, params: { id: ID } } as unknown as Request;
    const res = { locals: {} } as unknown as Response;
    const next = jest.fn();
    chain[0](req, res, next);
    expect(next).toHaveBeenCalledWith();
    chain[1](req, res, next);
    await chain[2](req, res, next);
    expect(order).toEqual(['between', `handler 3 ${ID}`]);
    expect(handler.mock.calls[0][1]).toBe(req);
  });

  it('never reaches the middleware or the handler with invalid input', () => {
    const handler = jest.fn();
    const chain = validate({ body: Body }, handler);
    const next = jest.fn();
    chain[0]({ body: { url: 'nope' } } as unknown as Request, { locals: {} } as unknown as Response, next);
    expect(next.mock.calls[0][0]).toMatchObject({ status: 400, details: { fields: [{ field: 'url' }] } });
  });
});

describe('invalidFields', () => {
  it('is a 400 with details.fields and a "field: problem; …" message', () => {
    const err = invalidFields([
      { field: 'a', message: 'is wrong' },
      { field: 'b.0', message: 'is missing' },
    ]);
    expect(err).toMatchObject({ status: 400, code: 'bad_request', message: 'a: is wrong; b.0: is missing' });
    expect(err.details).toEqual({
      fields: [
        { field: 'a', message: 'is wrong' },
        { field: 'b.0', message: 'is missing' },
      ],
    });
  });

  it("keeps a field's facts in its entry, and with `flat` also at the top (the older shape)", () => {
    expect(invalidField('url', 'is refused', { category: 'blocked_target' }).details).toEqual({
      fields: [{ field: 'url', message: 'is refused', category: 'blocked_target' }],
    });
    expect(invalidField('url', 'is refused', { category: 'blocked_target' }, { flat: true, message: 'url: no' })).toMatchObject({
      message: 'url: no',
      details: { field: 'url', category: 'blocked_target', fields: [{ field: 'url', message: 'is refused', category: 'blocked_target' }] },
    });
  });
});

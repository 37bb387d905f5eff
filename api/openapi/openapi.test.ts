import type { Client } from '@temporalio/client';
import Ajv2020 from 'ajv/dist/2020';
import pino from 'pino';
import { loadEnv } from '../../lib/env';
import type { PrismaClient } from '../../lib/prisma';
import { createContractChecker, isApiPath } from '../../test/support/api-contract';
import { appRoutes, toOpenApiPath } from '../../test/support/express-routes';
import { createApp } from '../app';
import { buildOpenApiDocument, openApiDocument } from './document';

const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;
type Operation = {
  operationId?: string;
  parameters?: Array<{ in: string; name: string; required?: boolean }>;
  responses?: Record<string, { content?: Record<string, { schema?: unknown }> }>;
  security?: unknown[];
};

const doc = openApiDocument().document;
const operations = Object.entries(doc.paths ?? {}).flatMap(([path, item]) =>
  METHODS.filter((m) => (item as Record<string, unknown>)[m]).map((method) => ({
    path,
    method,
    op: (item as Record<string, Operation>)[method],
  })),
);

describe('the OpenAPI document', () => {
  describe('covers the routes the app really has', () => {
    const app = createApp({
      env: loadEnv({}),
      adminKey: 'admin-key-for-the-test-0123456789',
      prisma: {} as PrismaClient,
      temporal: { workflowService: {}, workflow: {} } as unknown as Client,
      logger: pino({ level: 'silent' }),
      urlPolicy: { allowPrivate: false, allowedPorts: [] } as never,
    });
    const routed = [
      ...new Set(
        appRoutes(app)
          .filter((r) => isApiPath(r.path))
          .map((r) => `${r.method.toUpperCase()} ${toOpenApiPath(r.path)}`),
      ),
    ].sort();
    const documented = operations.map((o) => `${o.method.toUpperCase()} ${o.path}`).sort();

    it('finds the routes (the walk itself works)', () => {
      expect(routed).toEqual(
        expect.arrayContaining(['GET /healthz', 'POST /api/scans', 'GET /api/scans/{scanId}', 'DELETE /api/keys/{id}']),
      );
      expect(routed.length).toBeGreaterThan(40);
    });

    it('has an operation for every route', () => {
      expect(routed.filter((r) => !documented.includes(r))).toEqual([]);
    });

    it('documents no operation the app does not route', () => {
      expect(documented.filter((d) => !routed.includes(d))).toEqual([]);
    });
  });

  describe('is a well-formed OpenAPI 3.1 document', () => {
    it('declares 3.1, an info block and the bearer scheme it requires', () => {
      expect(doc.openapi).toBe('3.1.0');
      expect(doc.info).toEqual(expect.objectContaining({ title: expect.any(String), version: expect.stringMatching(/^\d+\.\d+\.\d+$/) }));
      expect(doc.components?.securitySchemes?.bearer).toEqual(expect.objectContaining({ type: 'http', scheme: 'bearer' }));
      expect(doc.security).toEqual([{ bearer: [] }]);
    });

    it('gives every operation a unique id, a success response and problem details for its errors', () => {
      const ids = operations.map((o) => o.op.operationId);
      expect(ids.every((id) => typeof id === 'string')).toBe(true);
      expect(new Set(ids).size).toBe(ids.length);
      for (const { path, method, op } of operations) {
        const statuses = Object.keys(op.responses ?? {});
        expect({ op: `${method} ${path}`, ok: statuses.some((s) => /^2\d\d$/.test(s)) }).toEqual({ op: `${method} ${path}`, ok: true });
        for (const s of statuses.filter((x) => /^[45]\d\d$/.test(x))) {
          const content = op.responses![s].content ?? {};
          // A 503 of a probe is its own body (readiness); every other error is problem details.
          if (path === '/readyz' || path === '/api/monitoring/health') continue;
          expect({ op: `${method} ${path} ${s}`, types: Object.keys(content) }).toEqual({
            op: `${method} ${path} ${s}`,
            types: ['application/problem+json'],
          });
        }
      }
    });

    it('declares each path template parameter as a required path parameter, and no other', () => {
      for (const { path, method, op } of operations) {
        const inTemplate = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
        const declared = (op.parameters ?? []).filter((p) => p.in === 'path');
        expect({ op: `${method} ${path}`, params: declared.map((p) => p.name).sort() }).toEqual({
          op: `${method} ${path}`,
          params: inTemplate,
        });
        expect(declared.every((p) => p.required === true)).toBe(true);
      }
    });

    it('has only valid JSON Schema 2020-12 schemas whose $refs resolve (each compiles under ajv strict mode)', () => {
      // The document's top-level members are made known keywords so the document can hold the schemas; each schema
      // referenced below is compiled, and so checked, under strict mode (unknown keywords, invalid schemas throw).
      const ajv = new Ajv2020({
        strict: true,
        strictTypes: false,
        validateFormats: false,
        keywords: [
          'example',
          'discriminator',
          'xml',
          'externalDocs',
          'openapi',
          'info',
          'servers',
          'security',
          'tags',
          'components',
          'paths',
        ],
      });
      ajv.addSchema({ $id: 'doc', ...doc }, undefined, undefined, false);
      const pointer = (...parts: string[]) => parts.map((p) => p.replace(/~/g, '~0').replace(/\//g, '~1')).join('/');
      for (const name of Object.keys(doc.components?.schemas ?? {})) {
        expect(() => ajv.compile({ $ref: `doc#/${pointer('components', 'schemas', name)}` })).not.toThrow();
      }
      for (const { path, method, op } of operations) {
        for (const [status, response] of Object.entries(op.responses ?? {}))
          for (const type of Object.keys(response.content ?? {}))
            expect(() =>
              ajv.compile({ $ref: `doc#/${pointer('paths', path, method, 'responses', status, 'content', type, 'schema')}` }),
            ).not.toThrow();
        for (const [i] of (op.parameters ?? []).entries())
          expect(() => ajv.compile({ $ref: `doc#/${pointer('paths', path, method, 'parameters', String(i), 'schema')}` })).not.toThrow();
      }
    });

    it('is generated deterministically', () => {
      expect(JSON.stringify(buildOpenApiDocument())).toBe(openApiDocument().json);
    });
  });
});

describe('the contract checker (test/support/api-contract.ts)', () => {
  const checker = createContractChecker(doc);
  const scan = {
    scanId: '3f1c2a4e-8b7d-4c6e-9a1b-2d3e4f5a6b7c',
    workflowId: 'scan-3f1c2a4e-8b7d-4c6e-9a1b-2d3e4f5a6b7c',
    status: 'queued',
  };
  const problem = {
    type: 'urn:wcag-scanner:problem:not_found',
    title: 'Not Found',
    status: 404,
    detail: 'scan not found',
    instance: '/api/scans/x',
    error: 'not_found',
    message: 'scan not found',
    requestId: 'r-1',
  };
  const post = (status: number, body: unknown, contentType = 'application/json; charset=utf-8') =>
    checker.check({ method: 'POST', path: '/api/scans', status, contentType, body });

  it('accepts a body that matches its operation and status', () => {
    expect(post(202, scan)).toBeNull();
    expect(
      checker.check({
        method: 'GET',
        path: '/api/scans/x',
        status: 404,
        contentType: 'application/problem+json; charset=utf-8',
        body: problem,
      }),
    ).toBeNull();
  });

  it('names the operation, the status and the schema error of a wrong body', () => {
    expect(post(202, { ...scan, status: 'running' })).toEqual({
      operation: 'submitScan (POST /api/scans)',
      status: 202,
      problem: expect.stringContaining('/status must be equal to constant'),
    });
    expect(post(202, { scanId: 'not-a-uuid', workflowId: 'w', status: 'queued' })?.problem).toMatch(/\/scanId must match format "uuid"/);
    const { requestId: _omitted, ...noRequestId } = problem;
    expect(
      checker.check({ method: 'GET', path: '/api/scans/x', status: 404, contentType: 'application/problem+json', body: noRequestId })
        ?.problem,
    ).toMatch(/must have required property 'requestId'/);
  });

  it('refuses a status or a media type the operation does not document', () => {
    expect(post(418, {})).toEqual({ operation: 'submitScan (POST /api/scans)', status: 418, problem: 'status 418 is not documented' });
    expect(post(400, { error: 'bad_request', message: 'x', requestId: 'r' })?.problem).toMatch(
      /media type application\/json is not documented/,
    );
  });

  it('refuses an API route the document does not have, and leaves unknown routes (404) and the Web UI alone', () => {
    expect(
      checker.check({ method: 'GET', path: '/api/nothing-here', status: 200, contentType: 'application/json', body: {} })?.problem,
    ).toBe('no documented operation answers this request');
    expect(
      checker.check({ method: 'GET', path: '/api/nothing-here', status: 404, contentType: 'application/problem+json', body: problem }),
    ).toBeNull();
    expect(checker.check({ method: 'GET', path: '/dashboard', status: 200, contentType: 'text/html' })).toBeNull();
  });

  it('matches literal path segments before templated ones', () => {
    const bulk = { bulkId: scan.scanId, workflowId: 'bulk-x', total: 1, accepted: 1, rejected: [], status: 'queued' };
    expect(checker.check({ method: 'POST', path: '/api/scans/bulk', status: 202, contentType: 'application/json', body: bulk })).toBeNull();
  });
});

import { z } from 'zod';
import type { ZodOpenApiPathsObject } from 'zod-openapi';

const tags = ['Reference'];

/** The contract itself and its reference page: open, like the README that documents the same API. */
export const docsPaths: ZodOpenApiPathsObject = {
  '/api/openapi.json': {
    get: {
      operationId: 'getOpenApiDocument',
      tags,
      summary: 'This OpenAPI 3.1 document',
      security: [],
      responses: {
        '200': { description: 'The document.', content: { 'application/json': { schema: z.looseObject({ openapi: z.string() }) } } },
      },
    },
  },
  '/api/docs': {
    get: {
      operationId: 'getApiReference',
      tags,
      summary: 'The interactive API reference (Swagger UI, served locally)',
      security: [],
      responses: { '200': { description: 'An HTML page.', content: { 'text/html': { schema: z.string() } } } },
    },
  },
};

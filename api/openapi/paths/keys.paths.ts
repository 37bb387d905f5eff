import type { ZodOpenApiPathsObject } from 'zod-openapi';
import { KeyIdParams, ListKeysQuery } from '../../schemas/keys.schema';
import { ApiKeyList, CreatedApiKey } from '../../schemas/keys.responses';
import { CreateKeyBody } from '../../schemas/scans.schema';
import { apiResponses, BODY_ERRORS, json, jsonBody, location, noContent } from '../responses';

const tags = ['API keys'];

export const keysPaths: ZodOpenApiPathsObject = {
  '/api/keys': {
    post: {
      operationId: 'createKey',
      tags,
      summary: 'Create a client key (admin)',
      requestBody: jsonBody(CreateKeyBody),
      responses: apiResponses({ '201': json('Created; the key is shown this once.', CreatedApiKey, location) }, [...BODY_ERRORS, 403, 409]),
    },
    get: {
      operationId: 'listKeys',
      tags,
      summary: 'List keys without their secrets (admin)',
      requestParams: { query: ListKeysQuery },
      responses: apiResponses({ '200': json('The keys.', ApiKeyList) }, [400, 403]),
    },
  },
  '/api/keys/{id}': {
    delete: {
      operationId: 'revokeKey',
      tags,
      summary: 'Revoke a key (admin)',
      requestParams: { path: KeyIdParams },
      responses: apiResponses({ '204': noContent }, [400, 403, 404]),
    },
  },
};

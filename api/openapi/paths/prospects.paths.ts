import { z } from 'zod';
import type { ZodOpenApiPathsObject } from 'zod-openapi';
import {
  CreateProspectBody,
  ImportJsonBody,
  ImportQuery,
  ListProspectsQuery,
  ProspectIdParams,
  ProspectScansQuery,
  ScanProspectBody,
  UpdateProspectBody,
} from '../../schemas/prospects.schema';
import { Prospect, ProspectHistory, ProspectImportResult, ProspectList, ProspectScanSubmitted } from '../../schemas/prospects.responses';
import { apiResponses, BODY_ERRORS, IDEMPOTENCY_ERRORS, idempotencyHeader, json, jsonBody, location, noContent } from '../responses';

const tags = ['Prospects'];
const path = ProspectIdParams;

export const prospectsPaths: ZodOpenApiPathsObject = {
  '/api/prospects': {
    post: {
      operationId: 'createProspect',
      tags,
      summary: 'Create a prospect',
      requestParams: { header: idempotencyHeader },
      requestBody: jsonBody(CreateProspectBody),
      responses: apiResponses({ '201': json('Created.', Prospect, location) }, [...BODY_ERRORS, ...IDEMPOTENCY_ERRORS, 403]),
    },
    get: {
      operationId: 'listProspects',
      tags,
      summary: 'List prospects, newest first',
      requestParams: { query: ListProspectsQuery },
      responses: apiResponses({ '200': json('A page of prospects.', ProspectList) }, [400, 403]),
    },
  },
  '/api/prospects/import': {
    post: {
      operationId: 'importProspects',
      tags,
      summary: 'Import up to 10,000 prospects from JSON or CSV',
      requestParams: { query: ImportQuery, header: idempotencyHeader },
      requestBody: {
        required: true,
        content: {
          'application/json': { schema: ImportJsonBody },
          'text/csv': { schema: z.string().meta({ description: 'RFC 4180 CSV with a header naming url, name, notes, clientId.' }) },
        },
      },
      responses: apiResponses({ '200': json('What was created, updated and skipped.', ProspectImportResult) }, [
        ...BODY_ERRORS,
        ...IDEMPOTENCY_ERRORS,
        403,
      ]),
    },
  },
  '/api/prospects/{id}': {
    get: {
      operationId: 'getProspect',
      tags,
      summary: 'A prospect with its latest scan',
      requestParams: { path },
      responses: apiResponses({ '200': json('The prospect.', Prospect) }, [404]),
    },
    patch: {
      operationId: 'updateProspect',
      tags,
      summary: 'Change url, name or notes',
      requestParams: { path },
      requestBody: jsonBody(UpdateProspectBody),
      responses: apiResponses({ '200': json('The prospect.', Prospect) }, [...BODY_ERRORS, 404, 409]),
    },
    delete: {
      operationId: 'deleteProspect',
      tags,
      summary: 'Delete a prospect (its scans stay)',
      requestParams: { path },
      responses: apiResponses({ '204': noContent }, [404]),
    },
  },
  '/api/prospects/{id}/scans': {
    post: {
      operationId: 'scanProspect',
      tags,
      summary: "Scan the prospect's URL",
      requestParams: { path, header: idempotencyHeader },
      requestBody: jsonBody(ScanProspectBody),
      responses: apiResponses({ '202': json('Accepted: the scan is queued.', ProspectScanSubmitted, location) }, [
        ...BODY_ERRORS,
        ...IDEMPOTENCY_ERRORS,
        404,
        503,
      ]),
    },
    get: {
      operationId: 'getProspectHistory',
      tags,
      summary: "The prospect's scans and score trend",
      requestParams: { path, query: ProspectScansQuery },
      responses: apiResponses({ '200': json('The history.', ProspectHistory) }, [400, 404]),
    },
  },
};

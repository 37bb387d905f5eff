import { z } from 'zod';
import type { ZodOpenApiPathsObject } from 'zod-openapi';
import { CreateScanBody, ListScansQuery, ScanIdParams } from '../../schemas/scans.schema';
import { ScanSubmitted } from '../../schemas/common.responses';
import { ScanCancelling, ScanList, ScanResult } from '../../schemas/scans.responses';
import { apiResponses, BODY_ERRORS, download, IDEMPOTENCY_ERRORS, idempotencyHeader, json, jsonBody, location } from '../responses';

const tags = ['Scans'];

export const scansPaths: ZodOpenApiPathsObject = {
  '/api/scans': {
    post: {
      operationId: 'submitScan',
      tags,
      summary: 'Submit one scan',
      requestParams: { header: idempotencyHeader },
      requestBody: jsonBody(CreateScanBody),
      responses: apiResponses({ '202': json('Accepted: the scan is queued.', ScanSubmitted, location) }, [
        ...BODY_ERRORS,
        ...IDEMPOTENCY_ERRORS,
        403,
        503,
      ]),
    },
    get: {
      operationId: 'listScans',
      tags,
      summary: 'List scans, newest first',
      requestParams: { query: ListScansQuery },
      responses: apiResponses({ '200': json('A page of scans.', ScanList) }, [400, 403]),
    },
  },
  '/api/scans/{scanId}': {
    get: {
      operationId: 'getScan',
      tags,
      summary: 'A scan and its result',
      requestParams: { path: ScanIdParams },
      responses: apiResponses({ '200': json('The scan.', ScanResult) }, [404]),
    },
  },
  '/api/scans/{scanId}/cancel': {
    post: {
      operationId: 'cancelScan',
      tags,
      summary: 'Cancel a scan',
      requestParams: { path: ScanIdParams },
      responses: apiResponses({ '202': json('Cancelling.', ScanCancelling) }, [404, 409]),
    },
  },
  '/api/scans/{scanId}/violations.csv': {
    get: {
      operationId: 'exportScanCsv',
      tags,
      summary: "The scan's findings as CSV (one row per element)",
      requestParams: { path: ScanIdParams },
      responses: apiResponses({ '200': download('CSV download.', 'text/csv') }, [404]),
    },
  },
  '/api/scans/{scanId}/violations.json': {
    get: {
      operationId: 'exportScanJson',
      tags,
      summary: "The scan's findings as JSON",
      requestParams: { path: ScanIdParams },
      responses: apiResponses(
        { '200': download('JSON download (README "Web UI", Exports).', 'application/json', z.looseObject({})) },
        [404],
      ),
    },
  },
  '/api/scans/{scanId}/earl.jsonld': {
    get: {
      operationId: 'exportScanEarl',
      tags,
      summary: "The scan's findings as W3C EARL (JSON-LD)",
      requestParams: { path: ScanIdParams },
      responses: apiResponses({ '200': download('JSON-LD download.', 'application/ld+json', z.looseObject({})) }, [404]),
    },
  },
};

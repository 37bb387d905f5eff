import type { ZodOpenApiPathsObject } from 'zod-openapi';
import { BulkIdParams, BulkItemsQuery, CreateBulkBody } from '../../schemas/bulk.schema';
import { BulkCancelling, BulkProgress, BulkSubmitted } from '../../schemas/bulk.responses';
import { apiResponses, BODY_ERRORS, IDEMPOTENCY_ERRORS, idempotencyHeader, json, jsonBody, location } from '../responses';

const tags = ['Bulk scans'];

export const bulkPaths: ZodOpenApiPathsObject = {
  '/api/scans/bulk': {
    post: {
      operationId: 'submitBulk',
      tags,
      summary: 'Submit up to 10,000 scans at once',
      description:
        'Each item is checked on its own; rejected items are listed by index. 422 `no_valid_items` when none is valid ' +
        '(the problem keeps `total`, `accepted`, `rejected` at its top level and in `details`).',
      requestParams: { header: idempotencyHeader },
      requestBody: jsonBody(CreateBulkBody),
      responses: apiResponses({ '202': json('Accepted: the valid items are queued.', BulkSubmitted, location) }, [
        ...BODY_ERRORS,
        ...IDEMPOTENCY_ERRORS,
        403,
        503,
      ]),
    },
  },
  '/api/scans/bulk/{bulkId}': {
    get: {
      operationId: 'getBulk',
      tags,
      summary: 'Live progress of a bulk, its items paged',
      requestParams: { path: BulkIdParams, query: BulkItemsQuery },
      responses: apiResponses({ '200': json('The progress.', BulkProgress) }, [400, 404]),
    },
  },
  '/api/scans/bulk/{bulkId}/cancel': {
    post: {
      operationId: 'cancelBulk',
      tags,
      summary: 'Cancel a bulk',
      requestParams: { path: BulkIdParams },
      responses: apiResponses({ '202': json('Cancelling.', BulkCancelling) }, [400, 404, 409]),
    },
  },
};

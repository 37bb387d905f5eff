import { z } from 'zod';
import type { ZodOpenApiPathsObject } from 'zod-openapi';
import { AuditIdParams, CreateAuditBody, ListAuditPagesQuery, ListAuditsQuery } from '../../schemas/audits.schema';
import { Audit, AuditCancelling, AuditList, AuditPageList, AuditSubmitted, SiteReport } from '../../schemas/audits.responses';
import { apiResponses, BODY_ERRORS, download, IDEMPOTENCY_ERRORS, idempotencyHeader, json, jsonBody, location } from '../responses';

const tags = ['Site audits'];
const path = AuditIdParams;

export const auditsPaths: ZodOpenApiPathsObject = {
  '/api/audits': {
    post: {
      operationId: 'submitAudit',
      tags,
      summary: 'Start a site audit',
      requestParams: { header: idempotencyHeader },
      requestBody: jsonBody(CreateAuditBody),
      responses: apiResponses({ '202': json('Accepted: the audit is queued.', AuditSubmitted, location) }, [
        ...BODY_ERRORS,
        ...IDEMPOTENCY_ERRORS,
        403,
        503,
      ]),
    },
    get: {
      operationId: 'listAudits',
      tags,
      summary: 'List audits, newest first',
      requestParams: { query: ListAuditsQuery },
      responses: apiResponses({ '200': json('A page of audits.', AuditList) }, [400, 403]),
    },
  },
  '/api/audits/{auditId}': {
    get: {
      operationId: 'getAudit',
      tags,
      summary: 'An audit, its progress and (once there is one) its site report',
      requestParams: { path },
      responses: apiResponses({ '200': json('The audit.', Audit) }, [404]),
    },
  },
  '/api/audits/{auditId}/pages': {
    get: {
      operationId: 'listAuditPages',
      tags,
      summary: "The audit's discovered pages, in discovery order",
      requestParams: { path, query: ListAuditPagesQuery },
      responses: apiResponses({ '200': json('A page of pages.', AuditPageList) }, [400, 404]),
    },
  },
  '/api/audits/{auditId}/cancel': {
    post: {
      operationId: 'cancelAudit',
      tags,
      summary: 'Cancel an audit',
      requestParams: { path },
      responses: apiResponses({ '202': json('Cancelling.', AuditCancelling) }, [404, 409]),
    },
  },
  '/api/audits/{auditId}/report.json': {
    get: {
      operationId: 'getAuditReportJson',
      tags,
      summary: 'The site report as a JSON download',
      requestParams: { path },
      responses: apiResponses({ '200': download('JSON download.', 'application/json', SiteReport) }, [404, 409]),
    },
  },
  '/api/audits/{auditId}/report.csv': {
    get: {
      operationId: 'getAuditReportCsv',
      tags,
      summary: 'The site issues as a CSV download',
      requestParams: { path },
      responses: apiResponses({ '200': download('CSV download.', 'text/csv') }, [404, 409]),
    },
  },
  '/api/audits/{auditId}/report.pdf': {
    get: {
      operationId: 'getAuditReportPdf',
      tags,
      summary: 'The site report as a tagged PDF',
      requestParams: { path },
      responses: apiResponses(
        { '200': download('PDF download.', 'application/pdf', z.string().meta({ format: 'binary' })) },
        [404, 409, 413, 503],
      ),
    },
  },
  '/api/audits/{auditId}/report.earl.jsonld': {
    get: {
      operationId: 'getAuditReportEarl',
      tags,
      summary: "The audit's findings as W3C EARL (JSON-LD)",
      requestParams: { path },
      responses: apiResponses({ '200': download('JSON-LD download.', 'application/ld+json', z.looseObject({})) }, [404, 409]),
    },
  },
};

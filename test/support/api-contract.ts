// Checks real responses against the OpenAPI document (api/openapi/document.ts): the status must be documented for
// the operation, the media type documented for that status, and a JSON body must match its schema (ajv, JSON
// Schema draft 2020-12, the dialect of OpenAPI 3.1).
import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import type { OpenApiDocument } from '../../api/openapi/document';

export interface ObservedResponse {
  method: string;
  /** The request path without its query. */
  path: string;
  status: number;
  /** The Content-Type header, if any. */
  contentType?: string;
  /** The parsed JSON body, when the response was JSON. */
  body?: unknown;
}

export interface ContractMismatch {
  operation: string;
  status: number;
  problem: string;
}

type ResponseSpec = { content?: Record<string, unknown> };
type OperationSpec = { operationId?: string; responses?: Record<string, ResponseSpec> };

const DOC_ID = 'openapi.json';

/** `/api/scans/{scanId}` → a regex for the concrete paths it names. */
function templateRegex(template: string): RegExp {
  const escaped = template.replace(/[.*+?^${}()|[\]\\]/g, (c) => (c === '{' || c === '}' ? c : `\\${c}`));
  return new RegExp(`^${escaped.replace(/\{[^}]+\}/g, '[^/]+')}$`);
}

const pointer = (...parts: string[]) => parts.map((p) => p.replace(/~/g, '~0').replace(/\//g, '~1')).join('/');
const mediaTypeOf = (contentType: string | undefined) => contentType?.split(';')[0].trim().toLowerCase();
const isJson = (mediaType: string | undefined) => !!mediaType && /^application\/([\w.-]+\+)?json$/.test(mediaType);

/**
 * What the document covers: /api/** (but the reference page's own static files, part of that page) and the probes.
 * The other paths are the Web UI's HTML pages (README "Web UI").
 */
export const isApiPath = (path: string) =>
  (path.startsWith('/api/') && !/^\/api\/docs\/.+\.(js|css)$/.test(path)) || ['/healthz', '/readyz', '/metrics'].includes(path);

export interface ContractChecker {
  /** The mismatch of one observed response, or null when it matches (or is outside the documented API). */
  check(observed: ObservedResponse): ContractMismatch | null;
}

/**
 * Paths outside the document are skipped unless `inScope` says they belong to the API (then, with a status other
 * than 404/405, they are a mismatch: a route answered that the contract does not have).
 */
export function createContractChecker(doc: OpenApiDocument, inScope: (path: string) => boolean = isApiPath): ContractChecker {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addFormat('binary', true);
  ajv.addSchema({ $id: DOC_ID, ...(doc as object) });
  const validators = new Map<string, ValidateFunction>();
  const validatorFor = (ref: string) => {
    let v = validators.get(ref);
    if (!v) validators.set(ref, (v = ajv.compile({ $ref: `${DOC_ID}#/${ref}` })));
    return v;
  };

  // Literal templates before templated ones (`/api/scans/bulk` before `/api/scans/{scanId}`).
  const templates = Object.keys(doc.paths ?? {})
    .map((template) => ({ template, regex: templateRegex(template), literal: template.replace(/\{[^}]+\}/g, '').length }))
    .sort((a, b) => b.literal - a.literal);

  return {
    check({ method, path, status, contentType, body }) {
      const matching = templates.filter((t) => t.regex.test(path));
      const m = method.toLowerCase();
      const found = matching.find((t) => (doc.paths?.[t.template] as Record<string, unknown>)?.[m]);
      if (!found) {
        if (status === 404 || status === 405 || !inScope(path)) return null;
        return { operation: `${method.toUpperCase()} ${path}`, status, problem: 'no documented operation answers this request' };
      }
      const op = (doc.paths?.[found.template] as Record<string, OperationSpec>)[m];
      const operation = `${op.operationId ?? '?'} (${method.toUpperCase()} ${found.template})`;
      const response = op.responses?.[String(status)] ?? op.responses?.[`${String(status)[0]}XX`] ?? op.responses?.default;
      if (!response) return { operation, status, problem: `status ${status} is not documented` };
      const mediaType = mediaTypeOf(contentType);
      const content = response.content ?? {};
      if (!mediaType || Object.keys(content).length === 0) {
        return Object.keys(content).length > 0 && body !== undefined
          ? { operation, status, problem: 'response has no Content-Type' }
          : null;
      }
      const documented = Object.keys(content).find((t) => t.toLowerCase() === mediaType);
      if (!documented)
        return { operation, status, problem: `media type ${mediaType} is not documented (${Object.keys(content).join(', ')})` };
      if (!isJson(mediaType)) return null;
      const validate = validatorFor(
        pointer(
          'paths',
          found.template,
          m,
          'responses',
          op.responses?.[String(status)] ? String(status) : 'default',
          'content',
          documented,
          'schema',
        ),
      );
      if (validate(body)) return null;
      const errors = (validate.errors ?? [])
        .slice(0, 5)
        .map(
          (e) =>
            `${e.instancePath || '(body)'} ${e.message}${e.params && 'additionalProperty' in e.params ? ` (${String(e.params.additionalProperty)})` : ''}`,
        )
        .join('; ');
      return { operation, status, problem: `body does not match the schema: ${errors}` };
    },
  };
}

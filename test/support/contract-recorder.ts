// Response validation for the integration tests (README "Development"): the API apps the test support builds check
// every response they send against the OpenAPI document, and the file fails (jest-setup.ts) when one did not match.
// On by default; API_CONTRACT_CHECK=0 turns it off.
import express, { type Express, type RequestHandler } from 'express';
import { openApiDocument } from '../../api/openapi/document';
import { createContractChecker, type ContractChecker, type ContractMismatch } from './api-contract';

const mismatches: Array<ContractMismatch & { count: number }> = [];
let checker: ContractChecker | undefined;

export const contractCheckEnabled = () => process.env.API_CONTRACT_CHECK !== '0';

/** The mismatches seen since the last call, each once with how often it was seen; clears them. */
export function takeContractMismatches(): Array<ContractMismatch & { count: number }> {
  return mismatches.splice(0, mismatches.length);
}

function record(m: ContractMismatch): void {
  const same = mismatches.find((x) => x.operation === m.operation && x.status === m.status && x.problem === m.problem);
  if (same) same.count++;
  else mismatches.push({ ...m, count: 1 });
}

/** Captures what the app writes (JSON bodies only are parsed) and checks it when the response is finished. */
const recordResponses: RequestHandler = (req, res, next) => {
  checker ??= createContractChecker(openApiDocument().document);
  const chunks: Buffer[] = [];
  const keep = (chunk: unknown, encoding?: unknown) => {
    if (chunk === undefined || chunk === null || typeof chunk === 'function') return;
    chunks.push(
      Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk), typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8'),
    );
  };
  const { write, end } = res;
  res.write = function (this: typeof res, chunk: unknown, ...rest: unknown[]) {
    keep(chunk, rest[0]);
    return (write as (...a: unknown[]) => boolean).call(this, chunk, ...rest);
  } as typeof res.write;
  res.end = function (this: typeof res, chunk?: unknown, ...rest: unknown[]) {
    keep(chunk, rest[0]);
    return (end as (...a: unknown[]) => typeof res).call(this, chunk, ...rest);
  } as typeof res.end;
  res.on('finish', () => {
    const contentType = res.get('content-type');
    let body: unknown;
    if (contentType && /[/+]json/.test(contentType) && req.method !== 'HEAD') {
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        record({ operation: `${req.method} ${req.path}`, status: res.statusCode, problem: 'the body is not JSON' });
        return;
      }
    }
    const path = req.originalUrl.split('?')[0];
    const mismatch = checker!.check({ method: req.method, path, status: res.statusCode, contentType, body });
    if (mismatch) record(mismatch);
  });
  next();
};

/** `app` behind the recorder (or `app` itself when the check is off). */
export function withContractCheck(app: Express): Express {
  if (!contractCheckEnabled()) return app;
  const outer = express();
  outer.disable('x-powered-by');
  outer.set('trust proxy', app.get('trust proxy'));
  outer.use(recordResponses);
  outer.use(app);
  return outer;
}

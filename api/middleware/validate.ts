import type { Request, RequestHandler, Response } from 'express';
import type { z } from 'zod';
import { invalidFields, type FieldProblem } from '../http-errors';

type Schemas = { body?: z.ZodType; params?: z.ZodType; query?: z.ZodType };

/** The parsed parts of a request, typed by the schemas that parsed them. */
export type Input<S extends Schemas> = { [K in keyof S & keyof Schemas]: S[K] extends z.ZodType ? z.output<S[K]> : never };

/** A route handler that gets the parsed input; it never reads req.params/query/body itself. */
export type InputHandler<S extends Schemas> = (input: Input<S>, req: Request, res: Response) => unknown;

/** Human-readable "field: problem" lines, so a 400 names the bad field. */
export function describeZodError(error: z.ZodError): { message: string; fields: FieldProblem[] } {
  const fields = error.issues.map((i) => ({ field: i.path.join('.') || '(body)', message: i.message }));
  return { message: fields.map((f) => `${f.field}: ${f.message}`).join('; '), fields };
}

/** The 400 for input a schema refused (details.fields, as every 400 about input). */
export const zodBadRequest = (error: z.ZodError) => invalidFields(describeZodError(error).fields);

/**
 * Parses params, query and body with the given schemas (a failure is a 400 naming each bad field), then runs
 * `middleware` (e.g. idempotency, which must see only valid requests) and `handler` with the parsed input.
 * Without a handler it is the parsing middleware alone, keeping the input in res.locals.input.
 */
export function validate<S extends Schemas>(schemas: S): RequestHandler;
export function validate<S extends Schemas>(schemas: S, handler: InputHandler<S>): RequestHandler[];
export function validate<S extends Schemas>(schemas: S, middleware: RequestHandler[], handler: InputHandler<S>): RequestHandler[];
export function validate<S extends Schemas>(
  schemas: S,
  middlewareOrHandler?: RequestHandler[] | InputHandler<S>,
  last?: InputHandler<S>,
): RequestHandler | RequestHandler[] {
  const parse: RequestHandler = (req, res, next) => {
    const input: Record<string, unknown> = {};
    for (const part of ['params', 'query', 'body'] as const) {
      const schema = schemas[part];
      if (!schema) continue;
      const parsed = schema.safeParse(req[part] ?? {});
      if (!parsed.success) return next(zodBadRequest(parsed.error));
      input[part] = parsed.data;
    }
    res.locals.input = input;
    next();
  };
  if (middlewareOrHandler === undefined) return parse;
  const [middleware, handler] = Array.isArray(middlewareOrHandler) ? [middlewareOrHandler, last!] : [[], middlewareOrHandler];
  // The one place the parsed input is read back: `parse` stored exactly Input<S>.
  const run: RequestHandler = async (req, res) => {
    await handler(res.locals.input as Input<S>, req, res);
  };
  return [parse, ...middleware, run];
}

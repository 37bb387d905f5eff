import type { RequestHandler } from 'express';
import type { z } from 'zod';
import { badRequest } from '../http-errors';

type Schemas = { body?: z.ZodType; params?: z.ZodType; query?: z.ZodType };

/** Human-readable "field: problem" lines, so a 400 names the bad field. */
export function describeZodError(error: z.ZodError): { message: string; fields: Array<{ field: string; message: string }> } {
  const fields = error.issues.map((i) => ({ field: i.path.join('.') || '(body)', message: i.message }));
  return { message: fields.map((f) => `${f.field}: ${f.message}`).join('; '), fields };
}

/** Parses body/params/query and keeps the parsed values in res.locals.input (never re-parsed downstream). */
export function validate(schemas: Schemas): RequestHandler {
  return (req, res, next) => {
    const input: Record<string, unknown> = {};
    for (const part of ['params', 'query', 'body'] as const) {
      const schema = schemas[part];
      if (!schema) continue;
      const parsed = schema.safeParse(req[part] ?? {});
      if (!parsed.success) {
        const { message, fields } = describeZodError(parsed.error);
        return next(badRequest(message, { fields }));
      }
      input[part] = parsed.data;
    }
    res.locals.input = input;
    next();
  };
}

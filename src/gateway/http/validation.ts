import type { Request } from 'express';
import type { z } from 'zod';
import { ApiError } from './errors';

/** Zod issues as one French sentence naming the fields. */
export function validationError(error: z.ZodError): ApiError {
  const parts = error.issues.slice(0, 5).map((i) => `${i.path.join('.') || 'corps'} : ${i.message}`);
  return new ApiError(400, 'VALIDATION_FAILED', `Données invalides — ${parts.join(' ; ')}`);
}

/** Parses a request's body, query or parameter; a failure is the contract's VALIDATION_FAILED. */
export function parse<T>(schema: z.ZodType<T>, value: unknown): T {
  const r = schema.safeParse(value);
  if (!r.success) throw validationError(r.error);
  return r.data;
}

/** A field of a posted form, as text ('' when it is absent or not text). */
export function formField(req: Request, name: string): string {
  const v = (req.body as Record<string, unknown> | undefined)?.[name];
  return typeof v === 'string' ? v : '';
}

import type { Request } from 'express';
import { z } from 'zod';
import { ApiError } from './errors';

const zodFrench = z.locales.fr().localeError;

const KINDS: Record<string, string> = {
  string: 'un texte',
  number: 'un nombre',
  int: 'un nombre entier',
  boolean: 'vrai ou faux (true / false)',
  object: 'un objet JSON',
  array: 'une liste',
};

/**
 * Zod's messages in plain French for the cases a client meets (a field missing, of the wrong kind, too short or too
 * long, a value out of its list); zod's own French for the rest. Messages written on a schema win over these.
 */
export const frenchIssues: z.core.$ZodErrorMap = (issue) => {
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined) return 'champ obligatoire.';
      return `doit être ${KINDS[issue.expected] ?? issue.expected}.`;
    case 'too_small':
      if (issue.origin === 'string') return `${issue.minimum} caractère${Number(issue.minimum) > 1 ? 's' : ''} au moins.`;
      if (issue.origin === 'number') return `doit valoir au moins ${String(issue.minimum)}.`;
      if (issue.origin === 'array') return `${String(issue.minimum)} élément(s) au moins.`;
      break;
    case 'too_big':
      if (issue.origin === 'string') return `${issue.maximum} caractères au plus.`;
      if (issue.origin === 'number') return `doit valoir au plus ${String(issue.maximum)}.`;
      if (issue.origin === 'array') return `${String(issue.maximum)} éléments au plus.`;
      break;
    case 'invalid_value':
      return `valeur attendue : ${issue.values.map((v) => JSON.stringify(v)).join(', ')}.`;
    case 'unrecognized_keys':
      return `champ${issue.keys.length > 1 ? 's' : ''} inconnu${issue.keys.length > 1 ? 's' : ''} : ${issue.keys.join(', ')}.`;
    case 'invalid_format':
      if (issue.format === 'uuid') return 'identifiant invalide.';
      if (issue.format === 'email') return 'adresse e-mail invalide.';
      break;
  }
  return zodFrench(issue);
};

/** Zod issues as one French sentence naming the fields. */
export function validationError(error: z.ZodError): ApiError {
  const parts = error.issues
    .slice(0, 5)
    .map((i) =>
      i.path.length === 0 && i.code === 'invalid_type'
        ? 'corps : un objet JSON est attendu (Content-Type: application/json).'
        : `${i.path.join('.') || 'corps'} : ${i.message}`,
    );
  return new ApiError(400, 'VALIDATION_FAILED', `Données invalides — ${parts.join(' ; ')}`);
}

/** Validates a request's body, query or parameter with French messages. */
export function check<T>(schema: z.ZodType<T>, value: unknown): z.ZodSafeParseResult<T> {
  return schema.safeParse(value, { error: frenchIssues });
}

/** Parses a request's body, query or parameter; a failure is the contract's VALIDATION_FAILED. */
export function parse<T>(schema: z.ZodType<T>, value: unknown): T {
  const r = check(schema, value);
  if (!r.success) throw validationError(r.error);
  return r.data;
}

/** A field of a posted form, as text ('' when it is absent or not text). */
export function formField(req: Request, name: string): string {
  const v = (req.body as Record<string, unknown> | undefined)?.[name];
  return typeof v === 'string' ? v : '';
}

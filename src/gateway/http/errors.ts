/** The API's error shape: `{ error: { code, message } }` with a fitting HTTP status (SPEC, "The HTTP contract"). */
import type { ErrorRequestHandler, Request, RequestHandler } from 'express';
import { createLogger } from '../../infra/log';
import { ErrorPage } from '../views/errors';
import { sendPage } from '../views/render';

const log = createLogger('gateway');

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export const notFound: RequestHandler = (_req, _res, next) => next(new ApiError(404, 'NOT_FOUND', 'Ressource introuvable.'));

/** Page requests get an HTML answer, API and webhook requests the JSON error shape. */
function wantsHtml(req: Request): boolean {
  return !req.path.startsWith('/api/') && !req.path.startsWith('/webhooks/') && req.accepts(['json', 'html']) === 'html';
}

/** Services the request needed were down: the client should retry (503), not report a bug (500). */
const UNAVAILABLE = /ECONNREFUSED|Can't reach database|connect|UNAVAILABLE|DEADLINE_EXCEEDED/i;

function classify(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  const e = err as { status?: number; type?: string; code?: string; message?: string };
  if (e?.code === 'EBADCSRFTOKEN') return new ApiError(403, 'CSRF_FAILED', 'Formulaire expiré : rechargez la page et recommencez.');
  if (e?.status === 413) return new ApiError(413, 'VALIDATION_FAILED', 'Requête trop volumineuse.');
  if (e?.status === 400 && e.type === 'entity.parse.failed')
    return new ApiError(400, 'VALIDATION_FAILED', 'Le corps de la requête doit être du JSON valide.');
  if (UNAVAILABLE.test(String(e?.message ?? err))) {
    return new ApiError(503, 'UNAVAILABLE', 'Service momentanément indisponible, réessayez dans quelques instants.');
  }
  return new ApiError(500, 'INTERNAL', 'Erreur interne, réessayez plus tard.');
}

export const errorHandler: ErrorRequestHandler = (err, req, res, _next) => {
  const answer = classify(err);
  if (answer.status >= 500)
    log.error('unexpected error', { method: req.method, path: req.path, error: err instanceof Error ? err : String(err) });
  if (wantsHtml(req)) sendPage(res, ErrorPage({ status: answer.status, message: answer.message }), answer.status);
  else res.status(answer.status).json({ error: { code: answer.code, message: answer.message } });
};

import type { ErrorRequestHandler, Request, RequestHandler, Response } from 'express';
import { createLogger } from '../infra/log';
import { escapeHtml as esc } from '../shared/html';

const log = createLogger('gateway');

/** The API's error shape: `{ error: { code, message } }` with a fitting HTTP status (SPEC, "The HTTP contract"). */
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

function errorPage(res: Response, status: number, message: string): void {
  res
    .status(status)
    .type('html')
    .send(
      `<!doctype html><html lang="fr"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>imaginasite</title><link rel="stylesheet" href="/static/site.css"></head><body><main><h1>Oups</h1><p>${esc(message)}</p><p><a href="/">Retour à l'accueil</a></p></main></body></html>`,
    );
}

export const errorHandler: ErrorRequestHandler = (err, req, res, _next) => {
  if (err instanceof ApiError) {
    if (wantsHtml(req)) errorPage(res, err.status, err.message);
    else res.status(err.status).json({ error: { code: err.code, message: err.message } });
    return;
  }
  const httpStatus = (err as { status?: number }).status;
  if (httpStatus === 413 || (httpStatus === 400 && (err as { type?: string }).type === 'entity.parse.failed')) {
    const message = httpStatus === 413 ? 'Requête trop volumineuse.' : 'Le corps de la requête doit être du JSON valide.';
    if (wantsHtml(req)) errorPage(res, httpStatus, message);
    else res.status(httpStatus).json({ error: { code: 'VALIDATION_FAILED', message } });
    return;
  }
  log.error('unexpected error', { method: req.method, path: req.path, error: err instanceof Error ? err : String(err) });
  const unavailable = /ECONNREFUSED|Can't reach database|connect|UNAVAILABLE|14 UNAVAILABLE|DEADLINE_EXCEEDED/i.test(
    String((err as Error)?.message ?? err),
  );
  const [status, code, message]: [number, string, string] = unavailable
    ? [503, 'UNAVAILABLE', 'Service momentanément indisponible, réessayez dans quelques instants.']
    : [500, 'INTERNAL', 'Erreur interne, réessayez plus tard.'];
  if (wantsHtml(req)) errorPage(res, status, message);
  else res.status(status).json({ error: { code, message } });
};

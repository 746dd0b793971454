import type { ErrorRequestHandler, RequestHandler } from 'express';

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

export const errorHandler: ErrorRequestHandler = (err, _req, res, _next) => {
  if (err instanceof ApiError) {
    res.status(err.status).json({ error: { code: err.code, message: err.message } });
    return;
  }
  const status = (err as { status?: number; type?: string }).status;
  if (status === 413) {
    res.status(413).json({ error: { code: 'VALIDATION_FAILED', message: 'Requête trop volumineuse.' } });
    return;
  }
  if (status === 400 && (err as { type?: string }).type === 'entity.parse.failed') {
    res.status(400).json({ error: { code: 'VALIDATION_FAILED', message: 'Le corps de la requête doit être du JSON valide.' } });
    return;
  }
  console.error('[gateway] unexpected error:', err instanceof Error ? err.stack : err);
  res.status(500).json({ error: { code: 'INTERNAL', message: 'Erreur interne, réessayez plus tard.' } });
};

import crypto from 'node:crypto';
import express, { type RequestHandler } from 'express';
import type { Client } from '@temporalio/client';
import { z } from 'zod';
import type { Config } from '../infra/config';
import type { PrismaClient } from '../infra/database';
import type { Mailer } from '../infra/mailer';
import { getWiringCheck } from '../shared/wiring';
import { ApiError, errorHandler, notFound } from './errors';
import { checkHealth } from './health';

export interface AppDeps {
  client: Client;
  prisma: PrismaClient;
  mailer: Mailer;
  config: Pick<Config, 'PROVIDER_API_TOKEN' | 'TEMPORAL_TASK_QUEUE'>;
}

const asyncRoute =
  (fn: (...a: Parameters<RequestHandler>) => Promise<void>): RequestHandler =>
  (req, res, next) => {
    fn(req, res, next).catch(next);
  };

function safeEqual(a: string, b: string): boolean {
  const ha = crypto.createHash('sha256').update(a).digest();
  const hb = crypto.createHash('sha256').update(b).digest();
  return crypto.timingSafeEqual(ha, hb);
}

/** Builds the gateway without listening, so tests drive it with supertest. */
export function createApp(deps: AppDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(express.json({ limit: '32kb' }));

  const requireProvider: RequestHandler = (req, _res, next) => {
    const m = /^Bearer (.+)$/.exec(req.get('authorization') ?? '');
    if (!m || !safeEqual(m[1], deps.config.PROVIDER_API_TOKEN)) {
      next(new ApiError(401, 'UNAUTHORIZED', 'Authentification requise.'));
      return;
    }
    next();
  };

  app.get(
    '/health',
    asyncRoute(async (_req, res) => {
      const health = await checkHealth(deps);
      res.status(health.ok ? 200 : 503).json({ status: health.ok ? 'ok' : 'degraded', ...health });
    }),
  );

  // Walking skeleton (replaced by the pack API): start a workflow whose activity writes to PostgreSQL, read it back by query.
  const wiringBody = z.object({ message: z.string().min(1).max(200) });
  app.post(
    '/api/admin/wiring-checks',
    requireProvider,
    asyncRoute(async (req, res) => {
      const body = wiringBody.safeParse(req.body);
      if (!body.success) throw new ApiError(400, 'VALIDATION_FAILED', 'Le champ message est requis (200 caractères au plus).');
      const checkId = crypto.randomUUID();
      await deps.client.workflow.start('wiringCheckWorkflow', {
        workflowId: `wiring-${checkId}`,
        taskQueue: deps.config.TEMPORAL_TASK_QUEUE,
        args: [{ checkId, message: body.data.message }],
      });
      res.status(201).json({ checkId });
    }),
  );
  app.get(
    '/api/admin/wiring-checks/:checkId',
    requireProvider,
    asyncRoute(async (req, res) => {
      const handle = deps.client.workflow.getHandle(`wiring-${String(req.params.checkId)}`);
      const state = await handle.query(getWiringCheck).catch((err: Error) => {
        if (err.name === 'WorkflowNotFoundError') throw new ApiError(404, 'NOT_FOUND', 'Vérification introuvable.');
        throw err;
      });
      res.json(state);
    }),
  );

  app.use(notFound);
  app.use(errorHandler);
  return app;
}

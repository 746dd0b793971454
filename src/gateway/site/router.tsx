/** The public site: the catalog and the terms of sale. */
import express, { type Router } from 'express';
import type { GatewayContext } from '../context';
import { sendPage } from '../views/render';
import { CgvPage, HomePage } from './pages';

export function siteRouter(ctx: GatewayContext): Router {
  const r = express.Router();
  r.get('/', (_req, res) => sendPage(res, <HomePage catalog={ctx.catalog} />));
  r.get('/cgv', (_req, res) => sendPage(res, <CgvPage cgv={ctx.cgv} />));
  return r;
}

/** The public site: the catalog, the terms of sale and the legal pages. */
import express, { type Router } from 'express';
import type { GatewayContext } from '../context';
import { sendPage } from '../views/render';
import { LegalNoticePage, PrivacyPage } from './legal';
import { CgvPage, HomePage } from './pages';

export function siteRouter(ctx: GatewayContext): Router {
  const r = express.Router();
  r.get('/', (_req, res) => sendPage(res, <HomePage catalog={ctx.catalog} />));
  r.get('/cgv', async (_req, res) => {
    await ctx.data.keepCgvVersion(ctx.cgv.version, ctx.cgv.text);
    const kept = await ctx.data.cgvVersion(ctx.cgv.version);
    sendPage(res, <CgvPage cgv={ctx.cgv} shownSince={kept?.shownSince ?? new Date()} seller={ctx.seller} zone={ctx.zone} />);
  });
  r.get('/mentions-legales', (_req, res) => sendPage(res, <LegalNoticePage seller={ctx.seller} publicUrl={ctx.publicUrl} />));
  r.get('/confidentialite', (_req, res) => sendPage(res, <PrivacyPage seller={ctx.seller} />));
  return r;
}

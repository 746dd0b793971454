/** The provider's side of the JSON API (SPEC, "The HTTP contract"): `Authorization: Bearer <PROVIDER_API_TOKEN>` or the dashboard's session. */
import express, { type Router } from 'express';
import { refundPaid } from '../../shared/pack';
import type { GatewayContext } from '../context';
import { requireProvider } from '../http/auth';
import { ApiError } from '../http/errors';
import { parse } from '../http/validation';
import { adminDocumentUrl, documentView, monthBounds, monthQuery, periodBounds, salesJournalCsv, sendDocumentPdf } from '../invoices';
import { eraseCustomer, exportCustomerData } from '../personal-data';
import {
  adminPacksQuery,
  availabilitySchema,
  bookingActionBody,
  outboxQuery,
  refundKeyParam,
  transferBody,
  uuidParam,
  withdrawalBody,
  providerRefundBody,
} from './schemas';

/** What marking a refund paid answers (the API) and the dashboard reports. */
export interface RefundPaidView {
  key: string;
  packId: string | null;
  kind: string;
  amountCents: number | null;
  dueAt: string | null;
  paidAt: string;
}

/**
 * The provider made a refund owed by bank transfer: its task leaves « À faire » (PostgreSQL), then its pack is told,
 * so that no reminder goes out for it. A pack whose workflow has ended has no reminder left to cancel. Marking it twice
 * answers the first date. Unknown key → 404.
 */
export async function markRefundPaid(ctx: GatewayContext, key: string): Promise<RefundPaidView> {
  const task = await ctx.data.markRefundPaid(key);
  if (!task) throw new ApiError(404, 'NOT_FOUND', 'Remboursement introuvable : aucun remboursement par virement n’a cette clé.');
  if (task.packId) {
    try {
      await ctx.packs.handle(task.packId).signal(refundPaid, { key });
    } catch (err) {
      if (!/not found|already completed/i.test(String((err as Error)?.message ?? err))) throw err;
    }
  }
  return {
    key,
    packId: task.packId,
    kind: task.kind,
    amountCents: task.amountCents,
    dueAt: task.dueAt ? task.dueAt.toISOString() : null,
    paidAt: task.paidAt.toISOString(),
  };
}

/** The Temporal Web UI's page of a pack's workflow. */
export const temporalUrl = (ctx: GatewayContext, packId: string) =>
  `${ctx.config.TEMPORAL_UI_URL}/namespaces/${ctx.config.TEMPORAL_NAMESPACE}/workflows/pack-${packId}`;

export function adminApiRouter(ctx: GatewayContext): Router {
  const r = express.Router();
  const packs = ctx.packs;
  r.use('/api/admin', requireProvider(ctx.config.PROVIDER_API_TOKEN));

  r.get('/api/admin/packs', async (req, res) => {
    res.json({ packs: await ctx.data.listPacks(parse(adminPacksQuery, req.query)) });
  });

  r.get('/api/admin/packs/:packId', async (req, res) => {
    const packId = String(req.params.packId);
    const state = packs.view(await packs.state(packId));
    const [row, events] = await Promise.all([ctx.data.packWithCustomer(packId), ctx.data.timeline(packId)]);
    if (!row) throw new ApiError(404, 'NOT_FOUND', 'Pack introuvable.');
    res.json({
      ...state,
      customer: { name: row.customer.name, email: row.customer.email, phone: row.customer.phone },
      project: row.project,
      bankReference: row.bankReference,
      timeline: events.map((e) => ({ at: e.at.toISOString(), type: e.type, data: e.data })),
      temporalUrl: temporalUrl(ctx, packId),
    });
  });

  r.post('/api/admin/packs/:packId/payments', async (req, res) => {
    const body = parse(transferBody, req.body);
    res.json(packs.view(await packs.recordTransfer(String(req.params.packId), body, ctx.zone)));
  });

  r.post('/api/admin/packs/:packId/withdrawal', async (req, res) => {
    const { receivedAt } = parse(withdrawalBody, req.body);
    res.json(packs.view(await packs.recordWithdrawal(String(req.params.packId), receivedAt, ctx.zone)));
  });

  r.post('/api/admin/packs/:packId/refunds', async (req, res) => {
    const packId = parse(uuidParam, req.params.packId);
    res.json(packs.view(await packs.grantRefund(packId, parse(providerRefundBody, req.body))));
  });

  r.post('/api/admin/refunds/:key/paid', async (req, res) => {
    res.json({ refund: await markRefundPaid(ctx, parse(refundKeyParam, req.params.key)) });
  });

  r.post('/api/admin/packs/:packId/bookings/:bookingId/:action', async (req, res) => {
    const action = String(req.params.action);
    const bookingId = parse(uuidParam, req.params.bookingId);
    const body = parse(bookingActionBody, req.body ?? {});
    res.json(await packs.providerAction(String(req.params.packId), action, bookingId, action === 'decline' ? body.reason : body.start));
  });

  r.get('/api/admin/availability', async (_req, res) => {
    res.json(await ctx.data.availability());
  });

  r.put('/api/admin/availability', async (req, res) => {
    await ctx.data.saveAvailability(parse(availabilitySchema, req.body));
    res.json(await ctx.data.availability());
  });

  r.get('/api/admin/customers/:customerId/export', async (req, res) => {
    const customerId = parse(uuidParam, req.params.customerId);
    res
      .set('Content-Disposition', `attachment; filename="client-${customerId.slice(0, 8)}.json"`)
      .json(await exportCustomerData(ctx, customerId));
  });

  r.post('/api/admin/customers/:customerId/erase', async (req, res) => {
    res.json({ erased: true, ...(await eraseCustomer(ctx, parse(uuidParam, req.params.customerId))) });
  });

  r.get('/api/admin/invoices', async (req, res) => {
    const { fromMs, toMs } = periodBounds(req.query, ctx.zone);
    const documents = await ctx.data.documentsBetween(fromMs, toMs);
    res.json({ invoices: documents.map((d) => ({ ...documentView(d, adminDocumentUrl(d.packId, d.number)), packId: d.packId })) });
  });

  r.get('/api/admin/invoices.csv', async (req, res) => {
    const { month } = parse(monthQuery, req.query);
    const { fromMs, toMs } = monthBounds(month, ctx.zone);
    res
      .type('text/csv; charset=utf-8')
      .set('Content-Disposition', `attachment; filename="journal-des-ventes-${month}.csv"`)
      .send(salesJournalCsv(await ctx.data.documentsBetween(fromMs, toMs), ctx.zone));
  });

  r.get('/api/admin/packs/:packId/invoices', async (req, res) => {
    const packId = parse(uuidParam, req.params.packId);
    const documents = await ctx.data.documentsOfPack(packId);
    res.json({ invoices: documents.map((d) => documentView(d, adminDocumentUrl(packId, d.number))) });
  });

  r.get('/api/admin/packs/:packId/invoices/:number.pdf', async (req, res) => {
    const packId = uuidParam.safeParse(req.params.packId);
    if (!packId.success) throw new ApiError(404, 'NOT_FOUND', 'Facture introuvable.');
    await sendDocumentPdf(ctx, res, String(req.params.number), packId.data);
  });

  r.get('/api/admin/outbox', async (req, res) => {
    const q = parse(outboxQuery, req.query);
    res.json({ emails: await ctx.data.outbox({ status: q.status }) });
  });

  return r;
}

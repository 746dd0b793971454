/** Ordering from the web site: the form, its answer (Checkout or the bank details) and the return from payment. */
import crypto from 'node:crypto';
import express, { type Request, type Router } from 'express';
import { PACK_CODES } from '../../shared/catalog';
import type { GatewayContext } from '../context';
import { livePackToken } from '../http/auth';
import { markOrderCreated } from '../http/limits';
import { csrfToken, noStore, requireCsrf, startSession } from '../http/session';
import { check, formField } from '../http/validation';
import { CONSENT_KINDS, clientMeta, orderFingerprint, orderResponse, orderSchema, placeOrder } from '../orders';
import { sendPage } from '../views/render';
import { OrderPage, OrderReviewPage, ThanksPage, TransferPage, TransferWithoutOrderPage, type FormErrors, type FormValues } from './pages';

/** The form's fields as the order API's body (each field at most 2,000 characters). */
function orderFromForm(v: FormValues) {
  return {
    packCode: v.packCode,
    quantity: v.packCode === 'PACK_1H' ? (/^\d{1,3}$/.test(v.quantity ?? '1') || !v.quantity ? Number(v.quantity || '1') : NaN) : undefined,
    customer: {
      name: v.name ?? '',
      email: v.email ?? '',
      ...(v.phone ? { phone: v.phone } : {}),
      ...(v.billingAddress?.trim() ? { billingAddress: v.billingAddress } : {}),
      ...(v.businessName?.trim() || v.siren?.trim() ? { business: { name: v.businessName ?? '', siren: v.siren ?? '' } } : {}),
    },
    ...(v.project ? { project: v.project } : {}),
    paymentMethod: v.paymentMethod,
    consents: Object.fromEntries(CONSENT_KINDS.map((k) => [k, v[k] === 'yes'])),
  };
}

/** The form's field an issue of the order's body is about (`customer.business.siren` → `siren`). */
function formFieldOf(path: readonly PropertyKey[]): string {
  if (path[0] === 'customer' && path[1] === 'business') return path[2] === 'siren' ? 'siren' : 'businessName';
  return String(path[0] === 'customer' || path[0] === 'consents' ? path[1] : path[0]);
}

const formValues = (req: Request): FormValues =>
  Object.fromEntries(Object.entries((req.body ?? {}) as Record<string, unknown>).map(([k, x]) => [k, String(x).slice(0, 2000)]));

export function orderRouter(ctx: GatewayContext): Router {
  const r = express.Router();
  r.use('/commande', noStore);
  const secret = ctx.config.ACCESS_TOKEN_SECRET;
  const portalTtlMs = ctx.portalLinkTtlSeconds * 1000;

  r.get('/commander', (req, res) => {
    const pack =
      typeof req.query.pack === 'string' && (PACK_CODES as readonly string[]).includes(req.query.pack) ? req.query.pack : 'PACK_1H';
    sendPage(res, <OrderPage catalog={ctx.catalog} csrf={csrfToken(req)} values={{ packCode: pack }} />);
  });

  r.post('/commander', requireCsrf, ctx.limits.orders, async (req, res) => {
    const v = formValues(req);
    const parsed = check(orderSchema, orderFromForm(v));
    if (!parsed.success) {
      const errors: FormErrors = {};
      for (const i of parsed.error.issues) errors[formFieldOf(i.path)] ??= i.message;
      return sendPage(res, <OrderPage catalog={ctx.catalog} csrf={csrfToken(req)} values={v} errors={errors} />, 400);
    }
    // First the review (total, terms, the button that says ordering means paying), then the order itself.
    if (formField(req, 'edit') === 'yes') return sendPage(res, <OrderPage catalog={ctx.catalog} csrf={csrfToken(req)} values={v} />);
    if (formField(req, 'confirm') !== 'yes') {
      return sendPage(
        res,
        <OrderReviewPage catalog={ctx.catalog} order={parsed.data} values={v} seller={ctx.seller} cgvVersion={ctx.cgv.version} />,
      );
    }
    // The form's key and what it asks for: the same form sent again is the same order; the form changed (back, edit,
    // send) is a new one, never the first order under its old key.
    const formKey = /^[0-9a-f-]{36}$/.test(v.orderKey ?? '') ? v.orderKey : crypto.randomUUID();
    const orderKey = `form:${formKey}:${orderFingerprint(parsed.data).slice(0, 16)}`;
    const placed = await placeOrder(ctx.orderDeps, parsed.data, { orderKey, ...clientMeta(req) });
    markOrderCreated(res, placed.created);
    const answer = await orderResponse(ctx, placed);
    await startSession(req, (s) => (s.portal = { packId: answer.packId, token: answer.accessToken }), portalTtlMs, true);
    res.redirect(303, answer.checkoutUrl ?? '/commande/virement');
  });

  r.get('/commande/virement', async (req, res) => {
    if (!req.session.portal) return sendPage(res, <TransferWithoutOrderPage />);
    const pack = await ctx.data.order(req.session.portal.packId);
    if (!pack || pack.paymentMethod !== 'bank_transfer') return res.redirect(303, '/espace');
    const bank = { holder: ctx.config.BANK_ACCOUNT_HOLDER, iban: ctx.config.BANK_IBAN, bic: ctx.config.BANK_BIC };
    sendPage(res, <TransferPage pack={pack} bank={bank} zone={ctx.zone} />);
  });

  // Stripe's return page: the token in its address opens the portal in this browser.
  // Stripe's return page. In the browser that ordered, the portal is already this pack's; another browser (or a link
  // someone crafted) is offered the portal through one click, never switched to it silently.
  r.get('/commande/merci', async (req, res) => {
    const token = typeof req.query.token === 'string' ? req.query.token : '';
    const claim = token ? await livePackToken(secret, token, (id) => ctx.data.tokensRevokedAt(id)) : null;
    if (claim && req.session.portal?.packId === claim.packId) return res.redirect(303, '/commande/merci');
    const packId = req.session.portal?.packId ?? claim?.packId;
    const active = packId ? (await ctx.packs.state(packId)).paidAt !== null : false;
    const open = claim && req.session.portal?.packId !== claim.packId ? { token, csrf: csrfToken(req) } : undefined;
    sendPage(res, <ThanksPage active={active} open={open} />);
  });

  return r;
}

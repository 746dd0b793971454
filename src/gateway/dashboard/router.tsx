/**
 * The provider's dashboard: sign-in (password, lockout after repeated failures), the packs and their live state,
 * transfers, session actions, availability, the email outbox and the clients' personal data.
 */
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { DateTime } from 'luxon';
import { verifyPassword } from '../../infra/passwords';
import { euros, frenchDate } from '../../shared/format';
import type { PackState } from '../../shared/pack';
import { PACK_STATUSES } from '../../shared/policy';
import { markRefundPaid, temporalUrl } from '../api/admin';
import { providerRefundBody, refundKeyParam, uuidParam } from '../api/schemas';
import type { GatewayContext } from '../context';
import { ApiError } from '../http/errors';
import { csrfToken, endSession, isAdmin, redirectWithFlash, requireCsrf, startAdminSession, takeFlash, noStore } from '../http/session';
import { formField, parse } from '../http/validation';
import type { ProviderActionResult } from '../packs';
import { eraseCustomer, exportCustomerData } from '../personal-data';
import { PERIOD_DAYS, slotPeriod } from '../slot-period';
import { when } from '../views/components';
import { sendPage } from '../views/render';
import { formOf, parseAvailabilityForm, postedForm } from './availability-form';
import { monthBounds, monthOf, monthQuery } from '../invoices';
import { AvailabilityPage, InvoicesPage, LoginPage, OutboxPage, PackDetailPage, PackListPage, ProviderMovePage } from './pages';

const LOCKOUT_FAILURES = 5;
const LOCKOUT_MS = 15 * 60_000;
/**
 * Across every address: so many failures within the hour suspend the login for everyone. One address is held at 5 per
 * quarter-hour, so a guesser spread over many addresses is stopped too; reaching this takes at least 34 addresses.
 */
const ACCOUNT_LOCKOUT_FAILURES = 100;
const ACCOUNT_LOCKOUT_MS = 60 * 60_000;

/** What the provider reads once an action on a session is done. */
function actionDone(action: string, r: ProviderActionResult, zone: string): string {
  const at = when(r.booking.start, zone);
  switch (action) {
    case 'confirm':
      return `Séance du ${at} confirmée : le client en est informé par e-mail.`;
    case 'decline':
      return `Demande du ${at} refusée : le client en est informé, ses heures restent sur son pack.`;
    case 'no-show':
      return `Absence signalée à la séance du ${at} : ${r.booking.hours} heure(s) facturée(s).`;
    case 'waive':
      return `Pénalité levée : ${r.hoursReturned ?? r.booking.hours} heure(s) rendue(s) au client.`;
    case 'cancel':
      return `Séance du ${at} annulée, sans frais pour le client (informé par e-mail).`;
    default:
      return `Séance déplacée au ${at} : le client en est informé par e-mail.`;
  }
}

/** The instant a date (and, if known, a time) typed in a form stands for, in the business's time zone. */
function receivedAtOfForm(date: string, time: string, zone: string): string {
  const day = date.trim();
  const at = time.trim();
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) throw new ApiError(400, 'VALIDATION_FAILED', 'Indiquez la date de réception (jour/mois/année).');
  if (!at) return day;
  const t = /^([01]\d|2[0-3]):[0-5]\d$/.test(at) ? DateTime.fromISO(`${day}T${at}`, { zone }) : null;
  const iso = t?.isValid ? t.toISO() : null;
  if (!iso) throw new ApiError(400, 'VALIDATION_FAILED', 'L’heure de réception doit être une heure HH:MM.');
  return iso;
}

/** What the provider reads once a withdrawal is recorded. */
function withdrawalDone(s: PackState, receivedAt: string, zone: string): string {
  const received = DateTime.fromISO(receivedAt, { zone }).toMillis();
  const r = s.refund;
  const refund =
    !r || r.amountCents === 0
      ? 'rien à rembourser'
      : r.method === 'card'
        ? `remboursement de ${euros(r.amountCents)} sur la carte du client (automatique)`
        : `remboursement de ${euros(r.amountCents)} par virement, à faire au plus tard le ${r.dueAt ? frenchDate(Date.parse(r.dueAt) - 1, zone) : '—'}`;
  return `Rétractation reçue le ${frenchDate(received, zone)} enregistrée : ${refund}. Le client en est informé par e-mail.`;
}

/** What the provider reads once a transfer is recorded. */
function transferDone(s: PackState, zone: string): string {
  const last = s.payments[s.payments.length - 1];
  const dated = last ? ` (daté du ${frenchDate(last.paidAt, zone)})` : '';
  if (last?.outcome === 'FLAGGED')
    return `Virement enregistré${dated}, reçu alors que la commande était close : il est à rembourser (voir « À faire »).`;
  if (s.status === 'ACTIVE') return `Virement enregistré${dated} : le pack est actif jusqu'au ${when(s.expiresAt, zone)}.`;
  return `Virement enregistré${dated}.`;
}

export function dashboardRouter(ctx: GatewayContext): Router {
  const r = express.Router();
  r.use('/admin', noStore);
  const common = (req: Request) => ({ csrf: csrfToken(req), zone: ctx.zone, temporalUiUrl: ctx.config.TEMPORAL_UI_URL });
  /** Pages need a signed-in provider (otherwise the sign-in page); changes also their session's CSRF token. */
  const signedIn = (req: Request, res: Response, next: NextFunction) => (isAdmin(req) ? next() : res.redirect(303, '/admin/connexion'));
  const change = [signedIn, requireCsrf];

  r.get('/admin/connexion', (_req, res) => sendPage(res, <LoginPage configured={Boolean(ctx.config.PROVIDER_PASSWORD_HASH)} />));

  r.post('/admin/connexion', ctx.limits.login, async (req, res) => {
    const ip = req.ip ?? 'unknown';
    const [failures, everywhere] = await Promise.all([
      ctx.data.recentLoginFailures(ip, Date.now() - LOCKOUT_MS),
      ctx.data.recentLoginFailures(null, Date.now() - ACCOUNT_LOCKOUT_MS),
    ]);
    const configured = Boolean(ctx.config.PROVIDER_PASSWORD_HASH);
    if (failures >= LOCKOUT_FAILURES) {
      return sendPage(res, <LoginPage configured={configured} error="Trop de tentatives échouées : réessayez dans 15 minutes." />, 429);
    }
    if (everywhere >= ACCOUNT_LOCKOUT_FAILURES) {
      const error = 'Trop de tentatives échouées sur ce compte, depuis plusieurs adresses : la connexion est suspendue pendant une heure.';
      return sendPage(res, <LoginPage configured={configured} error={error} />, 429);
    }
    const ok = configured && (await verifyPassword(formField(req, 'password'), ctx.config.PROVIDER_PASSWORD_HASH!));
    await ctx.data.recordLogin(ip, ok);
    if (!ok) {
      await new Promise((done) => setTimeout(done, 300 * (failures + 1))); // each failure slows the next answer
      return sendPage(res, <LoginPage configured={configured} error="Mot de passe incorrect." />, 401);
    }
    await startAdminSession(req, ctx.config.PROVIDER_PASSWORD_HASH);
    res.redirect(303, '/admin');
  });

  r.post('/admin/deconnexion', ...change, async (req, res) => {
    await endSession(req, res);
    res.redirect(303, '/admin/connexion');
  });

  r.get('/admin/packs', signedIn, async (req, res) => {
    const filter = typeof req.query.filtre === 'string' ? req.query.filtre : '';
    const status = filter === 'attente' ? 'AWAITING_PAYMENT' : (PACK_STATUSES as readonly string[]).includes(filter) ? filter : undefined;
    const [packs, tasks] = await Promise.all([
      ctx.data.listPacks(filter === 'bientot' ? { expiringWithinDays: 14 } : { status }),
      ctx.data.pendingActions(),
    ]);
    sendPage(res, <PackListPage {...common(req)} packs={packs} tasks={tasks} flash={takeFlash(req)} />);
  });

  r.get('/admin/packs/:id', signedIn, async (req, res) => {
    const packId = String(req.params.id);
    const state = ctx.packs.view(await ctx.packs.state(packId));
    const [row, events, documents] = await Promise.all([
      ctx.data.packWithCustomer(packId),
      ctx.data.timeline(packId),
      ctx.data.documentsOfPack(packId),
    ]);
    if (!row) throw new ApiError(404, 'NOT_FOUND', 'Pack introuvable.');
    const page = (
      <PackDetailPage
        {...common(req)}
        state={state}
        row={row}
        events={events}
        documents={documents}
        flash={takeFlash(req)}
        workflowUrl={temporalUrl(ctx, packId)}
      />
    );
    sendPage(res, page);
  });

  r.post('/admin/packs/:id/paiement', ...change, async (req, res) => {
    const packId = String(req.params.id);
    const amountCents = Math.round(Number(formField(req, 'amount').replace(',', '.')) * 100);
    const reference = formField(req, 'reference').trim();
    if (!Number.isInteger(amountCents) || amountCents <= 0 || reference.length < 3)
      throw new ApiError(400, 'VALIDATION_FAILED', 'Montant ou référence invalide.');
    // The day the money reached the account, as the bank statement dates it (the form's default: today).
    const receivedOn = formField(req, 'receivedOn').trim();
    if (receivedOn && !/^\d{4}-\d{2}-\d{2}$/.test(receivedOn))
      throw new ApiError(400, 'VALIDATION_FAILED', 'La date de réception du virement doit être une date (jour/mois/année).');
    const s = await ctx.packs.recordTransfer(
      packId,
      { amountCents, reference, ...(receivedOn ? { receivedAt: receivedOn } : {}) },
      ctx.zone,
    );
    await redirectWithFlash(req, res, `/admin/packs/${packId}`, transferDone(s, ctx.zone));
  });

  r.post('/admin/packs/:id/retractation', ...change, async (req, res) => {
    const packId = String(req.params.id);
    const receivedAt = receivedAtOfForm(formField(req, 'receivedOn'), formField(req, 'receivedTime'), ctx.zone);
    const s = await ctx.packs.recordWithdrawal(packId, receivedAt, ctx.zone);
    await redirectWithFlash(req, res, `/admin/packs/${packId}`, withdrawalDone(s, receivedAt, ctx.zone));
  });

  r.post('/admin/packs/:id/remboursement', ...change, async (req, res) => {
    const packId = String(req.params.id);
    const amountCents = Math.round(Number(formField(req, 'amount').replace(',', '.')) * 100);
    const refund = parse(providerRefundBody, { amountCents, reason: formField(req, 'reason'), note: formField(req, 'note') || undefined });
    const s = await ctx.packs.grantRefund(packId, refund);
    const by = s.paymentMethod === 'card' ? 'sur sa carte' : 'par virement : il apparaît dans « À faire » avec sa date limite';
    const credit = refund.reason === 'GOODWILL' ? ' ; l’avoir lui est envoyé' : '';
    await redirectWithFlash(
      req,
      res,
      `/admin/packs/${packId}`,
      `Remboursement de ${euros(amountCents)} décidé, ${by}. Le client en est informé par e-mail${credit}.`,
    );
  });

  r.post('/admin/remboursements/:key/effectue', ...change, async (req, res) => {
    const done = await markRefundPaid(ctx, parse(refundKeyParam, req.params.key));
    const back = formField(req, 'retour') === 'pack' && done.packId ? `/admin/packs/${done.packId}` : '/admin';
    const amount = done.amountCents ? `${euros(done.amountCents)} ` : '';
    await redirectWithFlash(req, res, back, `Remboursement ${amount}marqué comme effectué : il quitte la liste « À faire », sans rappel.`);
  });

  r.get('/admin/packs/:id/seances/:bid/deplacer', signedIn, async (req, res) => {
    const packId = String(req.params.id);
    const [state, row] = await Promise.all([ctx.packs.state(packId), ctx.data.packWithCustomer(packId)]);
    const booking = ctx.packs.view(state).bookings.find((b) => b.id === String(req.params.bid));
    if (!row || !booking) throw new ApiError(404, 'BOOKING_NOT_FOUND', 'Séance introuvable.');
    const period = slotPeriod(req.query.semaine, ctx.zone, Date.now(), state.expiresAt ? Date.parse(state.expiresAt) : null);
    const slots = await ctx.packs.slots(packId, {
      from: new Date(period.fromMs).toISOString(),
      to: new Date(period.toMs).toISOString(),
      known: state,
      limit: PERIOD_DAYS * 48,
      moving: booking.id,
    });
    sendPage(res, <ProviderMovePage {...common(req)} row={row} booking={booking} slots={slots} period={period} />);
  });

  r.post('/admin/packs/:id/seances/:bid/deplacer', ...change, async (req, res) => {
    const packId = String(req.params.id);
    const result = await ctx.packs.providerAction(packId, 'reschedule', String(req.params.bid), formField(req, 'start'));
    await redirectWithFlash(req, res, `/admin/packs/${packId}`, actionDone('reschedule', result, ctx.zone));
  });

  r.post('/admin/packs/:id/seances/:bid/:action', ...change, async (req, res) => {
    const action = String(req.params.action);
    // Moving a session needs its new time: that is the move page's form, not a one-button action.
    if (action === 'reschedule') throw new ApiError(404, 'NOT_FOUND', 'Action inconnue.');
    const result = await ctx.packs.providerAction(String(req.params.id), action, String(req.params.bid));
    // From the agenda's « À faire », back to the agenda.
    const back = formField(req, 'retour') === 'agenda' ? '/admin' : `/admin/packs/${String(req.params.id)}`;
    await redirectWithFlash(req, res, back, actionDone(action, result, ctx.zone));
  });

  r.get('/admin/clients/:customerId/export', signedIn, async (req, res) => {
    const customerId = parse(uuidParam, req.params.customerId);
    res
      .set('Content-Disposition', `attachment; filename="client-${customerId.slice(0, 8)}.json"`)
      .json(await exportCustomerData(ctx, customerId));
  });

  r.post('/admin/clients/:customerId/effacer', ...change, async (req, res) => {
    if (formField(req, 'confirm') !== 'yes')
      throw new ApiError(400, 'VALIDATION_FAILED', 'Cochez la case de confirmation pour effacer ce client.');
    const out = await eraseCustomer(ctx, parse(uuidParam, req.params.customerId));
    await redirectWithFlash(
      req,
      res,
      '/admin',
      `Client effacé (${out.packs} pack(s)) ; ses accès sont fermés. Conservé, comme la loi l’exige : ${out.kept.join(' ; ')}.`,
    );
  });

  r.get('/admin/disponibilites', signedIn, async (req, res) => {
    sendPage(res, <AvailabilityPage {...common(req)} form={formOf(await ctx.data.availability())} flash={takeFlash(req)} />);
  });

  r.post('/admin/disponibilites', ...change, async (req, res) => {
    const parsed = parseAvailabilityForm(req, ctx.zone);
    if (!parsed.ok)
      return sendPage(res, <AvailabilityPage {...common(req)} form={postedForm(req)} flash={undefined} errors={parsed.errors} />, 400);
    await ctx.data.saveAvailability(parsed.availability);
    await redirectWithFlash(req, res, '/admin/disponibilites', 'Disponibilités enregistrées.');
  });

  r.get('/admin/factures', signedIn, async (req, res) => {
    const months = await ctx.data.documentMonths(ctx.zone);
    const month =
      req.query.mois === undefined
        ? (months[0]?.month ?? monthOf(new Date(), ctx.zone))
        : parse(monthQuery, { month: req.query.mois }).month;
    const { fromMs, toMs } = monthBounds(month, ctx.zone);
    const documents = await ctx.data.documentsBetween(fromMs, toMs);
    sendPage(res, <InvoicesPage {...common(req)} months={months} month={month} documents={documents} />);
  });

  r.get('/admin/emails', signedIn, async (req, res) => {
    sendPage(res, <OutboxPage {...common(req)} emails={await ctx.data.outbox()} />);
  });

  return r;
}

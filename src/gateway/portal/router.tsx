/**
 * The client portal: reached by the emailed magic link (or right after ordering), held in a server-side session;
 * shows the pack, books, cancels or moves under the 24-hour rule, withdraws, sends the client their data.
 */
import express, { type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import { sessionIcs } from '../../infra/invites';
import { createLogger } from '../../infra/log';
import { signEmailChange, signPackToken, verifyEmailChange } from '../../infra/tokens';
import { euros } from '../../shared/format';
import { cancelBooking, requestBooking, rescheduleBooking, withdraw, type PackState } from '../../shared/pack';
import { cancellationIsBilled } from '../../shared/policy';
import { createCheckout } from '../checkout';
import type { GatewayContext } from '../context';
import { livePackToken } from '../http/auth';
import { ApiError } from '../http/errors';
import { csrfToken, endSession, portalOf, redirectWithFlash, requireCsrf, startSession, takeFlash, noStore } from '../http/session';
import { check, formField } from '../http/validation';
import { customerFields } from '../orders';
import { sendDocumentPdf } from '../invoices';
import { exportCustomerData } from '../personal-data';
import { PERIOD_DAYS, slotPeriod, type SlotPeriod } from '../slot-period';
import { whenParis } from '../views/components';
import { sendPage } from '../views/render';
import {
  CancelPage,
  ContactPage,
  EmailChangedPage,
  LinkExpiredPage,
  LinkRequestPage,
  SignedOutPage,
  LinkSentPage,
  MovePage,
  NotChangeablePage,
  OpenPortalPage,
  PortalPage,
  WithdrawalPage,
} from './pages';

const log = createLogger('gateway');

/** A link confirming a new email address stays valid this long. */
const EMAIL_CHANGE_TTL_SECONDS = 24 * 3600;

export function portalRouter(ctx: GatewayContext): Router {
  const r = express.Router();
  r.use('/espace', noStore);
  const secret = ctx.config.ACCESS_TOKEN_SECRET;
  const zone = ctx.zone;
  /** Every change in the portal: a session of the portal first (401 otherwise), then its CSRF token (403). */
  const change = [(req: Request, _res: Response, next: () => void) => (portalOf(req), next()), requireCsrf];

  const booking = (s: PackState, id: string) => {
    const b = ctx.packs.view(s).bookings.find((x) => x.id === id);
    if (!b) throw new ApiError(404, 'BOOKING_NOT_FOUND', 'Séance introuvable.');
    return b;
  };
  /** Every free start of the period (a week holds at most 7 × 48 half-hour starts). */
  const periodSlots = (packId: string, p: SlotPeriod, known: PackState, moving?: string) =>
    ctx.packs.slots(packId, {
      from: new Date(p.fromMs).toISOString(),
      to: new Date(p.toMs).toISOString(),
      known,
      limit: PERIOD_DAYS * 48,
      moving,
    });
  const billedNow = (b: { start: string; status: PackState['bookings'][number]['status'] }) =>
    cancellationIsBilled({
      startMs: Date.parse(b.start),
      nowMs: Date.now(),
      status: b.status,
      by: 'client',
      noticeMs: ctx.settings.freeCancellationNoticeMs,
    });

  r.get('/espace', async (req, res) => {
    if (typeof req.query.token === 'string') {
      // A link opens the portal only after a click on this site (a POST with this browser's CSRF token): a crafted link
      // cannot switch someone's portal to another pack, and a mail scanner following the link opens nothing.
      const claim = await livePackToken(secret, req.query.token, (id) => ctx.data.tokensRevokedAt(id));
      if (!claim) return sendPage(res, <LinkExpiredPage />, 401);
      if (req.session.portal?.packId === claim.packId) return res.redirect(303, '/espace');
      return sendPage(res, <OpenPortalPage token={req.query.token} csrf={csrfToken(req)} switching={Boolean(req.session.portal)} />);
    }
    if (!req.session.portal) return res.redirect(303, '/espace/lien');
    const { packId } = portalOf(req);
    const [state, documents] = await Promise.all([ctx.packs.state(packId), ctx.data.documentsOfPack(packId)]);
    const period = slotPeriod(req.query.semaine, zone, Date.now(), state.expiresAt ? Date.parse(state.expiresAt) : null);
    const slots = state.status === 'ACTIVE' ? await periodSlots(packId, period, state) : [];
    const page = (
      <PortalPage
        pack={ctx.packs.view(state)}
        csrf={csrfToken(req)}
        zone={zone}
        slots={slots}
        period={period}
        flash={takeFlash(req)}
        documents={documents.map((d) => ({ number: d.number, kind: d.kind, issuedAt: d.issuedAt, totalCents: d.inclVatCents }))}
      />
    );
    sendPage(res, page);
  });

  r.post('/espace/ouvrir', requireCsrf, async (req, res) => {
    const token = formField(req, 'token');
    const claim = await livePackToken(secret, token, (id) => ctx.data.tokensRevokedAt(id));
    if (!claim) return sendPage(res, <LinkExpiredPage />, 401);
    // The token leaves the address bar (and the history) for the server-side session.
    await startSession(req, (s) => (s.portal = { packId: claim.packId, token }), ctx.portalLinkTtlSeconds * 1000);
    res.redirect(303, '/espace');
  });

  r.get('/espace/lien', (_req, res) => sendPage(res, <LinkRequestPage />));

  /** Signs this browser out; with `partout`, every device too: the links and access tokens given so far stop working. */
  r.post('/espace/deconnexion', ...change, async (req, res) => {
    const everywhere = formField(req, 'partout') === 'oui';
    if (everywhere) await ctx.data.revokePackAccess(portalOf(req).packId);
    await endSession(req, res);
    sendPage(res, <SignedOutPage everywhere={everywhere} />);
  });

  r.post('/espace/lien', ctx.limits.magicLink, async (req, res) => {
    const email = z.string().trim().toLowerCase().email().max(200).safeParse(formField(req, 'email'));
    const packs = email.success ? await ctx.data.packsOfEmail(email.data, 5) : [];
    if (packs.length > 0) {
      const days = ctx.config.PORTAL_LINK_TTL_DAYS;
      const links = packs.map(
        (p) => `${ctx.publicUrl}/espace?token=${encodeURIComponent(signPackToken(secret, p.id, ctx.portalLinkTtlSeconds))}`,
      );
      // Not awaited: the answer must take the same time whether or not the address is a client's.
      ctx.mailer
        .sendMail({
          to: packs[0].email,
          from: ctx.config.MAIL_FROM,
          subject: 'Votre lien d’accès à votre espace imaginasite',
          text: `Bonjour,\n\nVoici ${links.length > 1 ? 'vos liens' : 'votre lien'} d'accès (valable ${days} jours) :\n\n${links.join('\n')}\n\nSi vous n'avez rien demandé, ignorez ce message.\n\nimaginasite`,
        })
        .catch((err: Error) => log.error('magic link email failed', { error: err }));
    }
    // The same answer whether or not the address is known: nobody learns who is a client.
    sendPage(res, <LinkSentPage />);
  });

  r.post('/espace/reserver', ctx.limits.bookings, ...change, async (req, res) => {
    const start = formField(req, 'start');
    const { booking: b } = await ctx.packs.update(portalOf(req).packId, (h) => h.executeUpdate(requestBooking, { args: [{ start }] }));
    const message =
      b.status === 'CONFIRMED'
        ? `Séance confirmée : ${whenParis(b.start, zone)}.`
        : `Demande envoyée pour le ${whenParis(b.start, zone)} : en attente de confirmation.`;
    await redirectWithFlash(req, res, '/espace', message);
  });

  r.get('/espace/seances/:id/annuler', async (req, res) => {
    const b = booking(await ctx.packs.state(portalOf(req).packId), req.params.id);
    if (!b.cancellable) return sendPage(res, <NotChangeablePage />, 409);
    sendPage(res, <CancelPage booking={b} billed={billedNow(b)} csrf={csrfToken(req)} zone={zone} />);
  });

  r.post('/espace/seances/:id/annuler', ...change, async (req, res) => {
    const bookingId = String(req.params.id);
    const out = await ctx.packs.update(portalOf(req).packId, (h) =>
      h.executeUpdate(cancelBooking, { args: [{ bookingId, by: 'client' }] }),
    );
    const message = out.penalty
      ? 'Séance annulée moins de 24 h avant : ses heures sont facturées.'
      : 'Séance annulée sans frais : les heures reviennent sur votre pack.';
    await redirectWithFlash(req, res, '/espace', message);
  });

  r.get('/espace/seances/:id/deplacer', async (req, res) => {
    const { packId } = portalOf(req);
    const s = await ctx.packs.state(packId);
    const b = booking(s, req.params.id);
    if (!b.cancellable) return sendPage(res, <NotChangeablePage />, 409);
    const period = slotPeriod(req.query.semaine, zone, Date.now(), s.expiresAt ? Date.parse(s.expiresAt) : null);
    const slots = await periodSlots(packId, period, s, b.id);
    sendPage(res, <MovePage booking={b} billed={billedNow(b)} csrf={csrfToken(req)} zone={zone} slots={slots} period={period} />);
  });

  r.post('/espace/seances/:id/deplacer', ...change, async (req, res) => {
    const args = { bookingId: String(req.params.id), start: formField(req, 'start'), by: 'client' as const };
    const out = await ctx.packs.update(portalOf(req).packId, (h) => h.executeUpdate(rescheduleBooking, { args: [args] }));
    const at = whenParis(out.booking.start, zone);
    const awaiting =
      out.booking.status === 'REQUESTED'
        ? ` : il attend la confirmation du prestataire (l'ancien créneau est libéré), vous recevrez un e-mail dès sa réponse`
        : '';
    const message = out.penalty
      ? `Séance reportée moins de 24 h avant : l'ancienne est facturée ; nouvelle séance demandée le ${at}${awaiting}.`
      : out.booking.status === 'REQUESTED'
        ? `Déplacement demandé au ${at}, sans frais${awaiting}.`
        : `Séance déplacée sans frais au ${at}.`;
    await redirectWithFlash(req, res, '/espace', message);
  });

  r.get('/espace/seances/:id/invitation.ics', async (req, res) => {
    const { packId } = portalOf(req);
    const [s, pack, joinUrl] = await Promise.all([
      ctx.packs.state(packId),
      ctx.data.packWithCustomer(packId),
      ctx.data.meetingLink(String(req.params.id)),
    ]);
    const b = booking(s, req.params.id);
    if (!pack) throw new ApiError(404, 'NOT_FOUND', 'Pack introuvable.');
    if (b.status !== 'CONFIRMED' && b.status !== 'REQUESTED') {
      throw new ApiError(409, 'BOOKING_NOT_CANCELLABLE', 'Cette séance n’a plus lieu : rien à ajouter à votre agenda.');
    }
    const ics = sessionIcs({
      bookingId: b.id,
      revision: b.revision,
      sequence: b.sequence,
      startMs: Date.parse(b.start),
      endMs: Date.parse(b.end),
      summary: 'Séance imaginasite',
      description: 'Séance d’accompagnement à distance (Zoom).',
      location: joinUrl ?? ctx.config.ZOOM_MEETING_URL,
      organizerEmail: ctx.config.PROVIDER_EMAIL,
      attendeeEmail: pack.customer.email,
      attendeeName: pack.customer.name,
      // A file the client adds to a calendar, not a meeting request: iTIP's REQUEST is for emails.
      method: 'PUBLISH',
      tentative: b.status === 'REQUESTED',
      stampMs: Date.now(),
    });
    res
      .type('text/calendar; charset=utf-8')
      .set('Content-Disposition', `attachment; filename="seance-${b.id.slice(0, 8)}.ics"`)
      .send(ics);
  });

  r.get('/espace/factures/:number.pdf', async (req, res) => {
    await sendDocumentPdf(ctx, res, String(req.params.number), portalOf(req).packId);
  });

  r.get('/espace/retractation', async (req, res) => {
    const s = await ctx.packs.state(portalOf(req).packId);
    sendPage(res, <WithdrawalPage pack={ctx.packs.view(s)} csrf={csrfToken(req)} zone={zone} />);
  });

  r.post('/espace/retractation', ...change, async (req, res) => {
    const out = await ctx.packs.update(portalOf(req).packId, (h) => h.executeUpdate(withdraw));
    await redirectWithFlash(req, res, '/espace', `Rétractation enregistrée : remboursement de ${euros(out.refund.amountCents)}.`);
  });

  r.post('/espace/payer', ctx.limits.bookings, ...change, async (req, res) => {
    const { packId } = portalOf(req);
    const s = await ctx.packs.state(packId);
    if (s.status !== 'AWAITING_PAYMENT' || s.paymentMethod !== 'card')
      throw new ApiError(409, 'PACK_NOT_ACTIVE', 'Ce pack n’attend pas de paiement par carte.');
    res.redirect(303, (await createCheckout(ctx, packId)).url);
  });

  r.get('/espace/coordonnees', async (req, res) => {
    const pack = await ctx.data.packWithCustomer(portalOf(req).packId);
    if (!pack) throw new ApiError(404, 'NOT_FOUND', 'Pack introuvable.');
    const values = { name: pack.customer.name, email: pack.customer.email, phone: pack.customer.phone ?? '' };
    sendPage(res, <ContactPage values={values} csrf={csrfToken(req)} flash={takeFlash(req)} />);
  });

  r.post('/espace/coordonnees', ctx.limits.magicLink, ...change, async (req, res) => {
    const pack = await ctx.data.packWithCustomer(portalOf(req).packId);
    if (!pack) throw new ApiError(404, 'NOT_FOUND', 'Pack introuvable.');
    const values = { name: formField(req, 'name'), email: formField(req, 'email'), phone: formField(req, 'phone') };
    const parsed = check(z.object(customerFields), { ...values, phone: values.phone || undefined });
    if (!parsed.success) {
      const errors = Object.fromEntries(parsed.error.issues.map((i) => [String(i.path[0]), i.message]));
      return sendPage(res, <ContactPage values={values} csrf={csrfToken(req)} errors={errors} />, 400);
    }
    const c = parsed.data;
    await ctx.data.correctCustomer(pack.customerId, { name: c.name, phone: c.phone || null });
    const newEmail = c.email.toLowerCase();
    let message = 'Vos coordonnées sont enregistrées.';
    if (newEmail !== pack.customer.email) {
      const token = signEmailChange(secret, pack.customerId, newEmail, EMAIL_CHANGE_TTL_SECONDS);
      await ctx.mailer.sendMail({
        to: newEmail,
        from: ctx.config.MAIL_FROM,
        subject: 'Confirmez votre nouvelle adresse e-mail',
        text: `Bonjour,\n\nPour que votre espace imaginasite utilise désormais cette adresse, ouvrez ce lien (valable 24 heures) :\n\n${ctx.publicUrl}/espace/coordonnees/email?token=${encodeURIComponent(token)}\n\nSi vous n'avez rien demandé, ignorez ce message : rien ne sera changé.\n\nimaginasite`,
      });
      message = `Vos coordonnées sont enregistrées. Pour changer d'adresse e-mail, ouvrez le lien que nous venons d'envoyer à ${newEmail}.`;
    }
    await redirectWithFlash(req, res, '/espace', message);
  });

  r.get('/espace/coordonnees/email', async (req, res) => {
    const claim = typeof req.query.token === 'string' ? verifyEmailChange(secret, req.query.token) : null;
    const before = claim ? await ctx.data.customerEmail(claim.customerId) : undefined;
    const ok = claim !== null && before !== undefined && (await ctx.data.changeCustomerEmail(claim.customerId, claim.email));
    if (ok && before && before !== claim.email) {
      // The former address is told, so that a change it did not ask for does not go unnoticed.
      await ctx.mailer.sendMail({
        to: before,
        from: ctx.config.MAIL_FROM,
        subject: 'Votre adresse e-mail a été modifiée',
        text: `Bonjour,\n\nL'adresse e-mail de votre espace imaginasite est désormais ${claim.email}. Si vous n'êtes pas à l'origine de ce changement, répondez à ce message.\n\nimaginasite`,
      });
    }
    sendPage(res, <EmailChangedPage ok={ok} />, ok ? 200 : 400);
  });

  r.post('/espace/export', ctx.limits.magicLink, ...change, async (req, res) => {
    const pack = await ctx.data.packWithCustomer(portalOf(req).packId);
    if (!pack) throw new ApiError(404, 'NOT_FOUND', 'Pack introuvable.');
    const data = await exportCustomerData(ctx, pack.customerId);
    await ctx.mailer.sendMail({
      to: pack.customer.email,
      from: ctx.config.MAIL_FROM,
      subject: 'Copie de vos données personnelles',
      text: 'Bonjour,\n\nVous trouverez en pièce jointe une copie de toutes les données que nous détenons à votre sujet (format JSON).\n\nimaginasite',
      attachments: [{ filename: 'mes-donnees-imaginasite.json', content: JSON.stringify(data, null, 2), contentType: 'application/json' }],
    });
    await redirectWithFlash(req, res, '/espace', 'Une copie de vos données vient de vous être envoyée par e-mail.');
  });

  return r;
}

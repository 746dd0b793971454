/**
 * The web pages: the order form, the client portal (magic link) and the provider dashboard. Forms post to the
 * server (no JavaScript needed); every change is protected by a CSRF token tied to the session.
 */
import crypto from 'node:crypto';
import express, { type Request, type Response, type Router } from 'express';
import { DateTime } from 'luxon';
import { z } from 'zod';
import { loadAvailability } from '../activities/packs';
import { sessionIcs } from '../activities/emails/ics';
import { verifyPassword } from '../infra/passwords';
import { signPackToken, verifyPackToken } from '../infra/tokens';
import { PACK_CODES, type PackCode } from '../shared/catalog';
import { cancelBooking, requestBooking, rescheduleBooking, withdraw, type PackState } from '../shared/pack';
import { cancellationIsBilled, type Availability } from '../shared/policy';
import { ACCESS_TOKEN_TTL_SECONDS, asyncRoute, availabilitySchema, clientMeta, orderResponse } from './api';
import {
  ADMIN_COOKIE,
  PACK_COOKIE,
  subkey,
  adminSessionValue,
  clearCookie,
  portalCsrf,
  readCookie,
  safeEqual,
  setCookie,
  verifyAdminSession,
} from './auth';
import type { GatewayContext } from './context';
import { ApiError } from './errors';
import { CONSENT_WORDING, CONSENT_KINDS, orderSchema, placeOrder } from './orders';
import { createCheckout } from './payments';
import { eraseCustomer, exportCustomerData } from './personal-data';
import { createLogger } from '../infra/log';
import { CSS, STATUS_LABELS, euros, flash, html, page, when, type Html } from './views';

const log = createLogger('gateway');
const send = (res: Response, title: string, body: Html, status = 200, nav?: Html) =>
  res
    .status(status)
    .type('html')
    .send(page(title, body, { nav }));

type FormErrors = Record<string, string>;

const hhmm = (iso: string, zone: string) => DateTime.fromISO(iso).setZone(zone).toFormat("HH'h'mm");

/** Free slots grouped by day (in the business's time zone), at most `perDay` a day, for 21 days. */
function slotPicker(slots: Array<{ start: string; end: string }>, zone: string, button: (x: { start: string }) => Html, perDay = 12): Html {
  if (slots.length === 0) return html`<p class="muted">Aucun créneau libre dans les trois prochaines semaines.</p>`;
  const days = new Map<string, Array<{ start: string }>>();
  for (const x of slots) {
    const day = DateTime.fromISO(x.start).setZone(zone).setLocale('fr').toFormat('cccc d LLLL');
    const list = days.get(day) ?? [];
    if (list.length < perDay) list.push(x);
    days.set(day, list);
  }
  return html`${[...days].map(
    ([day, list]) =>
      html`<h3>${day}</h3>
        <div class="slots">${list.map(button)}</div>`,
  )}`;
}

function orderForm(ctx: GatewayContext, v: Record<string, string>, errors: FormErrors = {}): Html {
  const err = (k: string) => (errors[k] ? html`<p class="error-text" id="${k}-error">${errors[k]}</p>` : html``);
  const desc = (k: string) => (errors[k] ? `${k}-error` : undefined);
  const selected = (v.packCode as PackCode) || 'PACK_1H';
  return html` <h1>Commander un pack d'accompagnement</h1>
    ${Object.keys(errors).length ? html`<p class="flash error" role="alert">Le formulaire contient des erreurs : corrigez les champs signalés.</p>` : html``}
    <form class="stack" method="post" action="/commander" novalidate>
      <input type="hidden" name="orderKey" value="${v.orderKey || crypto.randomUUID()}" />
      <label for="packCode">Pack</label>
      <select id="packCode" name="packCode" aria-describedby="${desc('packCode')}">
        ${PACK_CODES.map((c) => html`<option value="${c}" ${c === selected ? html`selected` : ''}>${ctx.catalog[c].label} — ${euros(ctx.catalog[c].priceCents)}${c === 'PACK_1H' ? ' / heure' : ''}</option>`)}</select
      >${err('packCode')}
      <label for="quantity">Nombre d'heures (pack 1 heure uniquement, 1 à 10)</label>
      <input
        id="quantity"
        name="quantity"
        type="number"
        min="1"
        max="10"
        value="${v.quantity || '1'}"
        aria-describedby="${desc('quantity')}"
      />${err('quantity')}
      <label for="name">Nom et prénom</label>
      <input
        id="name"
        name="name"
        type="text"
        autocomplete="name"
        required
        value="${v.name ?? ''}"
        aria-describedby="${desc('name')}"
      />${err('name')}
      <label for="email">Adresse e-mail</label>
      <input
        id="email"
        name="email"
        type="email"
        autocomplete="email"
        required
        value="${v.email ?? ''}"
        aria-describedby="${desc('email')}"
      />${err('email')}
      <label for="phone">Téléphone (facultatif)</label>
      <input
        id="phone"
        name="phone"
        type="tel"
        autocomplete="tel"
        value="${v.phone ?? ''}"
        aria-describedby="${desc('phone')}"
      />${err('phone')}
      <label for="project">Votre projet en quelques mots (facultatif)</label>
      <textarea id="project" name="project" rows="3" maxlength="2000">${v.project ?? ''}</textarea>${err('project')}
      <fieldset>
        <legend>Avant de commander, je reconnais :</legend>
        ${CONSENT_KINDS.map(
          (k) =>
            html`<label class="check" for="consent-${k}"
                ><input
                  type="checkbox"
                  id="consent-${k}"
                  name="${k}"
                  value="yes"
                  ${v[k] === 'yes' ? html`checked` : ''}
                  aria-describedby="${desc(k)}"
                />
                <span>${CONSENT_WORDING[k]}${k === 'cgv' ? html` (<a href="/cgv" target="_blank">lire les CGV</a>)` : ''}</span></label
              >${err(k)}`,
        )}
      </fieldset>
      <fieldset>
        <legend>Paiement</legend>
        <label class="check" for="pm-card"
          ><input type="radio" id="pm-card" name="paymentMethod" value="card" ${v.paymentMethod !== 'bank_transfer' ? html`checked` : ''} />
          Carte bancaire (paiement sécurisé Stripe)</label
        >
        <label class="check" for="pm-transfer"
          ><input
            type="radio"
            id="pm-transfer"
            name="paymentMethod"
            value="bank_transfer"
            ${v.paymentMethod === 'bank_transfer' ? html`checked` : ''}
          />
          Virement bancaire</label
        >
        ${err('paymentMethod')}
      </fieldset>
      <p class="muted">Le paiement est exigé à la commande ; aucune séance ne peut être réservée avant sa réception.</p>
      <button type="submit">Commander et payer</button>
    </form>`;
}

function portalPackView(
  ctx: GatewayContext,
  s: ReturnType<GatewayContext['packs']['view']>,
  csrf: string,
  slots: Array<{ start: string; end: string }>,
  message?: string,
): Html {
  const zone = ctx.config.BUSINESS_TIMEZONE;
  const h = s.hours;
  return html` <h1>${s.label}</h1>
    ${flash(message)}
    <div class="kpis">
      <div class="kpi">Statut<b data-testid="status">${STATUS_LABELS[s.status] ?? s.status}</b></div>
      <div class="kpi">Heures disponibles<b data-testid="hours-available">${h.available}</b></div>
      <div class="kpi">Utilisées<b>${h.used}</b></div>
      <div class="kpi">Facturées (annulations tardives, absences)<b data-testid="hours-forfeited">${h.forfeited}</b></div>
      <div class="kpi">Réservées<b>${h.reserved}</b></div>
    </div>
    <p>
      ${s.expiresAt ? html`Valable jusqu'au <strong>${when(s.expiresAt, zone)}</strong>. Les heures non utilisées à cette date sont perdues (CGV).` : html`Échéance de paiement : ${when(s.paymentDeadline, zone)}.`}
    </p>
    ${s.status === 'AWAITING_PAYMENT' && s.paymentMethod === 'card' ? html`<form method="post" action="/espace/payer"><input type="hidden" name="csrf" value="${csrf}" /><button>Payer par carte</button></form>` : ''}
    <h2>Mes séances</h2>
    ${
      s.bookings.length === 0
        ? html`<p class="muted">Aucune séance pour le moment.</p>`
        : html` <table>
            <thead>
              <tr>
                <th>Date</th>
                <th>Durée</th>
                <th>Statut</th>
                <th></th>
              </tr>
            </thead>
            <tbody>
              ${s.bookings.map(
                (b) =>
                  html`<tr data-booking="${b.id}">
                    <td>${when(b.start, zone)}</td>
                    <td>${b.hours} h</td>
                    <td>${STATUS_LABELS[b.status] ?? b.status}${b.penaltyWaived ? ' — pénalité levée' : ''}</td>
                    <td>
                      ${b.cancellable ? html`<a class="button secondary" href="/espace/seances/${b.id}/deplacer">Déplacer</a> <a class="button secondary" href="/espace/seances/${b.id}/annuler">Annuler</a>` : ''}
                      ${b.status === 'CONFIRMED' ? html` <a href="/espace/seances/${b.id}/invitation.ics">Invitation (.ics)</a>` : ''}
                    </td>
                  </tr>`,
              )}
            </tbody>
          </table>`
    }
    ${
      s.status === 'ACTIVE' && h.available > 0
        ? html` <h2>Réserver une séance</h2>
            ${slotPicker(slots, zone, (x) => html`<form method="post" action="/espace/reserver"><input type="hidden" name="csrf" value="${csrf}" /><input type="hidden" name="start" value="${x.start}" /><button class="secondary" data-slot="${x.start}">${hhmm(x.start, zone)}</button></form>`)}`
        : ''
    }
    ${
      s.withdrawal.allowed
        ? html`<h2>Rétractation</h2>
            <p>
              Vous pouvez encore vous rétracter jusqu'au ${when(new Date(Date.parse(s.withdrawal.until) - 1).toISOString(), zone)} :
              <a href="/espace/retractation">exercer mon droit de rétractation</a>.
            </p>`
        : ''
    }
    <h2>Mes données</h2>
    <form method="post" action="/espace/export">
      <input type="hidden" name="csrf" value="${csrf}" /><button class="secondary">Recevoir par e-mail une copie de mes données</button>
    </form>`;
}

export function pagesRouter(ctx: GatewayContext): Router {
  const r = express.Router();
  const secret = ctx.config.ACCESS_TOKEN_SECRET;
  const zone = ctx.config.BUSINESS_TIMEZONE;

  // Success messages travel in a short-lived signed cookie, not in the address: nobody can make the site display a
  // message of their own by sending a crafted link.
  const FLASH_COOKIE = 'imaginasite_flash';
  const flashKey = subkey(secret, 'flash');
  const redirectWithFlash = (req: Request, res: Response, url: string, message: string) => {
    const value = Buffer.from(message.slice(0, 300)).toString('base64url');
    setCookie(res, req, FLASH_COOKIE, `${value}.${crypto.createHmac('sha256', flashKey).update(value).digest('base64url')}`, 120);
    res.redirect(303, url);
  };
  const takeFlash = (req: Request, res: Response): string | undefined => {
    const raw = readCookie(req, FLASH_COOKIE);
    if (!raw) return undefined;
    clearCookie(res, FLASH_COOKIE);
    const [value, sig] = raw.split('.');
    if (!value || !sig || !safeEqual(sig, crypto.createHmac('sha256', flashKey).update(value).digest('base64url'))) return undefined;
    return Buffer.from(value, 'base64url').toString('utf8');
  };

  r.get('/static/site.css', (_req, res) => {
    res.type('css').set('Cache-Control', 'public, max-age=3600').send(CSS);
  });

  // ------------------------------------------------------------------------------------------- public
  r.get('/', (_req, res) => {
    send(
      res,
      'Accompagnement sites et outils numériques',
      html` <h1>Accompagnement à distance pour vos sites et outils numériques</h1>
        <p>Des séances individuelles sur Zoom, en packs d'heures prépayées, valables 3 mois.</p>
        <div class="cards">
          ${PACK_CODES.map((c) => {
            const o = ctx.catalog[c];
            return html`<div class="card">
              <h2>${o.label}</h2>
              <p class="price">${euros(o.priceCents)}${c === 'PACK_1H' ? ' / heure' : ''}</p>
              <p>
                ${o.hours} h${o.breakMinutes ? ' (hors pause)' : ''},
                séance${o.sessionHours > 1 ? ` d'un bloc de ${o.sessionHours} h` : 's de 1 h'}.
              </p>
              <a class="button" href="/commander?pack=${c}">Commander</a>
            </div>`;
          })}
        </div>`,
    );
  });

  r.get('/cgv', (_req, res) => {
    send(
      res,
      'Conditions générales de vente',
      html`<h1>Conditions générales de vente</h1>
        <p class="muted">Version ${ctx.cgv.version}</p>
        <pre class="cgv">${ctx.cgv.text}</pre>`,
    );
  });

  r.get('/commander', (req, res) => {
    const pack =
      typeof req.query.pack === 'string' && (PACK_CODES as readonly string[]).includes(req.query.pack) ? req.query.pack : 'PACK_1H';
    send(res, 'Commander', orderForm(ctx, { packCode: pack }));
  });

  r.post(
    '/commander',
    ctx.limits.orders,
    asyncRoute(async (req, res) => {
      const v = Object.fromEntries(Object.entries(req.body ?? {}).map(([k, x]) => [k, String(x).slice(0, 2000)])) as Record<string, string>;
      const candidate = {
        packCode: v.packCode,
        quantity:
          v.packCode === 'PACK_1H' ? (/^\d{1,3}$/.test(v.quantity ?? '1') || !v.quantity ? Number(v.quantity || '1') : NaN) : undefined,
        customer: { name: v.name ?? '', email: v.email ?? '', ...(v.phone ? { phone: v.phone } : {}) },
        ...(v.project ? { project: v.project } : {}),
        paymentMethod: v.paymentMethod,
        consents: Object.fromEntries(CONSENT_KINDS.map((k) => [k, v[k] === 'yes'])),
      };
      const parsed = orderSchema.safeParse(candidate);
      if (!parsed.success) {
        const errors: FormErrors = {};
        for (const i of parsed.error.issues) {
          const key = i.path[0] === 'customer' || i.path[0] === 'consents' ? String(i.path[1]) : String(i.path[0]);
          errors[key] ??= i.message;
        }
        send(res, 'Commander', orderForm(ctx, v, errors), 400);
        return;
      }
      const orderKey = /^[0-9a-f-]{36}$/.test(v.orderKey ?? '') ? `form:${v.orderKey}` : `form:${crypto.randomUUID()}`;
      const placed = await placeOrder(ctx.orderDeps(), parsed.data, { orderKey, ...clientMeta(req) });
      const answer = await orderResponse(ctx, placed);
      setCookie(res, req, PACK_COOKIE, answer.accessToken, ACCESS_TOKEN_TTL_SECONDS);
      if (answer.checkoutUrl) res.redirect(303, answer.checkoutUrl);
      else res.redirect(303, '/commande/virement');
    }),
  );

  // ------------------------------------------------------------------------------------------- portal
  /** The portal's pack: from the magic link's token, kept in a cookie. */
  const portalToken = (req: Request): string | null => {
    const t = readCookie(req, PACK_COOKIE);
    return t && verifyPackToken(secret, t) ? t : null;
  };
  const requirePortal = (req: Request): { packId: string; token: string; csrf: string } => {
    const token = portalToken(req);
    if (!token) throw new ApiError(401, 'UNAUTHORIZED', 'Votre lien a expiré : demandez-en un nouveau depuis « Mon espace client ».');
    return { packId: verifyPackToken(secret, token)!.packId, token, csrf: portalCsrf(secret, token) };
  };
  const checkCsrf = (req: Request, expected: string) => {
    if (typeof req.body?.csrf !== 'string' || !safeEqual(req.body.csrf, expected))
      throw new ApiError(403, 'CSRF_FAILED', 'Formulaire expiré : rechargez la page et recommencez.');
  };

  r.get(
    '/commande/virement',
    asyncRoute(async (req, res) => {
      const { packId } = requirePortal(req);
      const pack = await ctx.prisma.pack.findUniqueOrThrow({ where: { id: packId } });
      if (pack.paymentMethod !== 'bank_transfer') {
        res.redirect(303, '/espace');
        return;
      }
      send(
        res,
        'Paiement par virement',
        html` <h1>Merci ! Votre commande est enregistrée</h1>
          <p>
            Pour la valider, effectuez un virement de <strong>${euros(pack.priceCents)}</strong> avant le
            <strong>${when(pack.paymentDeadline, zone)}</strong> :
          </p>
          <table>
            <tbody>
              <tr>
                <th>Titulaire</th>
                <td>${ctx.config.BANK_ACCOUNT_HOLDER}</td>
              </tr>
              <tr>
                <th>IBAN</th>
                <td data-testid="iban">${ctx.config.BANK_IBAN}</td>
              </tr>
              <tr>
                <th>BIC</th>
                <td>${ctx.config.BANK_BIC}</td>
              </tr>
              <tr>
                <th>Référence à indiquer</th>
                <td data-testid="reference"><strong>${pack.bankReference}</strong></td>
              </tr>
            </tbody>
          </table>
          <p>Ces informations vous sont aussi envoyées par e-mail. Vous pourrez réserver vos séances dès réception du virement.</p>
          <p><a class="button" href="/espace">Mon espace client</a></p>`,
      );
    }),
  );

  r.get('/commande/merci', (req, res) => {
    const t = typeof req.query.token === 'string' ? req.query.token : '';
    if (verifyPackToken(secret, t)) setCookie(res, req, PACK_COOKIE, t, ACCESS_TOKEN_TTL_SECONDS);
    send(
      res,
      'Merci',
      html`<h1>Merci pour votre paiement</h1>
        <p>Votre paiement est en cours de confirmation ; vous recevrez un e-mail dès que votre pack sera actif.</p>
        <p><a class="button" href="/espace">Mon espace client</a></p>`,
    );
  });

  r.get(
    '/espace',
    asyncRoute(async (req, res) => {
      const fromLink = typeof req.query.token === 'string' ? req.query.token : undefined;
      if (fromLink) {
        if (!verifyPackToken(secret, fromLink)) {
          send(
            res,
            'Lien expiré',
            html`<h1>Ce lien n'est plus valable</h1>
              <p>Il a expiré ou il est incomplet. <a href="/espace/lien">Recevoir un nouveau lien</a>.</p>`,
            401,
          );
          return;
        }
        // The token leaves the address bar (and the history) for an HttpOnly cookie.
        setCookie(res, req, PACK_COOKIE, fromLink, ACCESS_TOKEN_TTL_SECONDS);
        res.redirect(303, '/espace');
        return;
      }
      const token = portalToken(req);
      if (!token) {
        res.redirect(303, '/espace/lien');
        return;
      }
      const { packId, csrf } = requirePortal(req);
      const state = await ctx.packs.state(packId);
      const slots =
        state.status === 'ACTIVE'
          ? await ctx.packs.slots(packId, undefined, new Date(Date.now() + 21 * 86_400_000).toISOString(), state).catch(() => [])
          : [];
      send(res, 'Mon espace', portalPackView(ctx, ctx.packs.view(state), csrf, slots, takeFlash(req, res)));
    }),
  );

  r.get('/espace/lien', (_req, res) => {
    send(
      res,
      'Mon espace client',
      html`<h1>Accéder à mon espace</h1>
        <p>Indiquez l'adresse e-mail utilisée pour votre commande : nous vous envoyons un lien d'accès.</p>
        <form class="stack" method="post" action="/espace/lien">
          <label for="email">Adresse e-mail</label><input id="email" name="email" type="email" required autocomplete="email" />
          <p><button>Recevoir mon lien</button></p>
        </form>`,
    );
  });

  r.post(
    '/espace/lien',
    ctx.limits.magicLink,
    asyncRoute(async (req, res) => {
      const email = z.string().trim().toLowerCase().email().max(200).safeParse(req.body?.email);
      if (email.success) {
        const packs = await ctx.prisma.pack.findMany({
          where: { customer: { email: email.data, erasedAt: null } },
          orderBy: { orderedAt: 'desc' },
          take: 5,
          include: { customer: true },
        });
        if (packs.length > 0) {
          const links = packs.map((p) => `${ctx.publicUrl}/espace?token=${encodeURIComponent(signPackToken(secret, p.id, 30 * 86_400))}`);
          // Not awaited: the answer must take the same time whether or not the address is a client's.
          void ctx.mailer
            .sendMail({
              to: packs[0].customer.email,
              from: ctx.config.MAIL_FROM,
              subject: 'Votre lien d’accès à votre espace imaginasite',
              text: `Bonjour,\n\nVoici ${links.length > 1 ? 'vos liens' : 'votre lien'} d'accès (valable 30 jours) :\n\n${links.join('\n')}\n\nSi vous n'avez rien demandé, ignorez ce message.\n\nimaginasite`,
            })
            .catch((err: Error) => log.error('magic link email failed', { error: err }));
        }
      }
      // The same answer whether or not the address is known: nobody learns who is a client.
      send(
        res,
        'Lien envoyé',
        html`<h1>Vérifiez votre boîte de réception</h1>
          <p>Si cette adresse correspond à une commande, un lien d'accès vient de lui être envoyé.</p>`,
      );
    }),
  );

  r.post(
    '/espace/reserver',
    ctx.limits.bookings,
    asyncRoute(async (req, res) => {
      const { packId, csrf } = requirePortal(req);
      checkCsrf(req, csrf);
      const start = String(req.body?.start ?? '');
      const { booking } = await ctx.packs.update(packId, (h) => h.executeUpdate(requestBooking, { args: [{ start }] }));
      const msg =
        booking.status === 'CONFIRMED'
          ? `Séance confirmée : ${when(booking.start, zone)}.`
          : `Demande envoyée pour le ${when(booking.start, zone)} : en attente de confirmation.`;
      redirectWithFlash(req, res, '/espace', msg);
    }),
  );

  const bookingOf = (s: PackState, id: string) => {
    const b = s.bookings.find((x) => x.id === id);
    if (!b) throw new ApiError(404, 'BOOKING_NOT_FOUND', 'Séance introuvable.');
    return b;
  };
  const changeable = (s: PackState, id: string) => ctx.packs.view(s).bookings.find((x) => x.id === id)?.cancellable === true;
  const notChangeable = (res: Response) =>
    void send(
      res,
      'Séance',
      html`<h1>Cette séance ne peut plus être annulée ni déplacée</h1>
        <p>Elle a déjà commencé, ou elle est annulée ou terminée.</p>
        <p><a href="/espace">Revenir à mon espace</a></p>`,
      409,
    );
  const penaltyWarning = (s: PackState, id: string, action: string) => {
    const b = bookingOf(s, id);
    const billed = cancellationIsBilled({
      startMs: Date.parse(b.start),
      nowMs: Date.now(),
      status: b.status,
      by: 'client',
      noticeMs: ctx.settings.freeCancellationNoticeMs,
    });
    return billed
      ? html`<p class="flash warning" role="alert" data-testid="penalty-warning">
          <strong>Attention :</strong> la séance commence dans moins de 24 heures. Conformément aux CGV, si vous ${action}, les ${b.hours}
          heure(s) de cette séance seront <strong>facturées</strong> et décomptées de votre pack.
        </p>`
      : html`<p class="flash ok" data-testid="free-notice">
          La séance commence dans plus de 24 heures : ${action === 'annulez' ? "l'annulation est" : 'le report est'} sans frais.
        </p>`;
  };

  r.get(
    '/espace/seances/:id/annuler',
    asyncRoute(async (req, res) => {
      const { packId, csrf } = requirePortal(req);
      const s = await ctx.packs.state(packId);
      const b = bookingOf(s, String(req.params.id));
      if (!changeable(s, b.id)) return notChangeable(res);
      send(
        res,
        'Annuler une séance',
        html`<h1>Annuler la séance du ${when(b.start, zone)}</h1>
          ${penaltyWarning(s, b.id, 'annulez')}
          <form method="post" action="/espace/seances/${b.id}/annuler">
            <input type="hidden" name="csrf" value="${csrf}" /><button class="danger">Confirmer l'annulation</button>
            <a href="/espace">Revenir</a>
          </form>`,
      );
    }),
  );

  r.post(
    '/espace/seances/:id/annuler',
    asyncRoute(async (req, res) => {
      const { packId, csrf } = requirePortal(req);
      checkCsrf(req, csrf);
      const bookingId = String(req.params.id);
      const out = await ctx.packs.update(packId, (h) => h.executeUpdate(cancelBooking, { args: [{ bookingId, by: 'client' }] }));
      redirectWithFlash(
        req,
        res,
        '/espace',
        out.penalty
          ? 'Séance annulée moins de 24 h avant : ses heures sont facturées.'
          : 'Séance annulée sans frais : les heures reviennent sur votre pack.',
      );
    }),
  );

  r.get(
    '/espace/seances/:id/deplacer',
    asyncRoute(async (req, res) => {
      const { packId, csrf } = requirePortal(req);
      const s = await ctx.packs.state(packId);
      const b = bookingOf(s, String(req.params.id));
      if (!changeable(s, b.id)) return notChangeable(res);
      const slots = await ctx.packs.slots(packId, undefined, new Date(Date.now() + 21 * 86_400_000).toISOString(), s);
      send(
        res,
        'Déplacer une séance',
        html`<h1>Déplacer la séance du ${when(b.start, zone)}</h1>
          ${penaltyWarning(s, b.id, 'la déplacez')}
          ${slotPicker(slots, zone, (x) => html`<form method="post" action="/espace/seances/${b.id}/deplacer"><input type="hidden" name="csrf" value="${csrf}" /><input type="hidden" name="start" value="${x.start}" /><button class="secondary" data-slot="${x.start}">${hhmm(x.start, zone)}</button></form>`)}
          <p><a href="/espace">Revenir</a></p>`,
      );
    }),
  );

  r.post(
    '/espace/seances/:id/deplacer',
    asyncRoute(async (req, res) => {
      const { packId, csrf } = requirePortal(req);
      checkCsrf(req, csrf);
      const bookingId = String(req.params.id);
      const out = await ctx.packs.update(packId, (h) =>
        h.executeUpdate(rescheduleBooking, { args: [{ bookingId, start: String(req.body?.start ?? ''), by: 'client' }] }),
      );
      redirectWithFlash(
        req,
        res,
        '/espace',
        out.penalty
          ? `Séance reportée moins de 24 h avant : l'ancienne est facturée ; nouvelle séance le ${when(out.booking.start, zone)}.`
          : `Séance déplacée sans frais au ${when(out.booking.start, zone)}.`,
      );
    }),
  );

  r.get(
    '/espace/seances/:id/invitation.ics',
    asyncRoute(async (req, res) => {
      const { packId } = requirePortal(req);
      const s = await ctx.packs.state(packId);
      const b = bookingOf(s, String(req.params.id));
      const pack = await ctx.prisma.pack.findUniqueOrThrow({ where: { id: packId }, include: { customer: true } });
      const ics = sessionIcs({
        bookingId: b.id,
        revision: b.revision,
        startMs: Date.parse(b.start),
        endMs: Date.parse(b.end),
        summary: 'Séance imaginasite',
        description: 'Séance d’accompagnement à distance (Zoom).',
        location: ctx.config.ZOOM_MEETING_URL,
        organizerEmail: ctx.config.PROVIDER_EMAIL,
        attendeeEmail: pack.customer.email,
        attendeeName: pack.customer.name,
        method: b.status === 'CONFIRMED' || b.status === 'REQUESTED' ? 'REQUEST' : 'CANCEL',
        stampMs: Date.now(),
      });
      res
        .type('text/calendar; charset=utf-8')
        .set('Content-Disposition', `attachment; filename="seance-${b.id.slice(0, 8)}.ics"`)
        .send(ics);
    }),
  );

  r.get(
    '/espace/retractation',
    asyncRoute(async (req, res) => {
      const { packId, csrf } = requirePortal(req);
      const s = await ctx.packs.state(packId);
      send(
        res,
        'Rétractation',
        html`<h1>Droit de rétractation</h1>
          <p>
            Conformément au code de la consommation, vous pouvez vous rétracter dans les 14 jours suivant votre commande, tant qu'aucune
            séance n'a commencé. Vous êtes alors remboursé(e) intégralement (${euros(s.paidCents)}). Dès qu'une séance a débuté, aucun
            remboursement, total ou partiel, n'est possible (CGV).
          </p>
          ${s.withdrawal.allowed ? html`<form method="post" action="/espace/retractation"><input type="hidden" name="csrf" value="${csrf}" /><button class="danger">Je me rétracte et demande le remboursement</button></form>` : html`<p class="flash warning">La rétractation n'est plus possible pour ce pack.</p>`}
          <p><a href="/espace">Revenir</a></p>`,
      );
    }),
  );

  r.post(
    '/espace/retractation',
    asyncRoute(async (req, res) => {
      const { packId, csrf } = requirePortal(req);
      checkCsrf(req, csrf);
      const out = await ctx.packs.update(packId, (h) => h.executeUpdate(withdraw));
      redirectWithFlash(req, res, '/espace', `Rétractation enregistrée : remboursement de ${euros(out.refund.amountCents)}.`);
    }),
  );

  r.post(
    '/espace/payer',
    asyncRoute(async (req, res) => {
      const { packId, token, csrf } = requirePortal(req);
      checkCsrf(req, csrf);
      const s = await ctx.packs.state(packId);
      if (s.status !== 'AWAITING_PAYMENT' || s.paymentMethod !== 'card')
        throw new ApiError(409, 'PACK_NOT_ACTIVE', 'Ce pack n’attend pas de paiement par carte.');
      res.redirect(303, (await createCheckout(ctx, packId, token)).url);
    }),
  );

  r.post(
    '/espace/export',
    ctx.limits.magicLink,
    asyncRoute(async (req, res) => {
      const { packId, csrf } = requirePortal(req);
      checkCsrf(req, csrf);
      const pack = await ctx.prisma.pack.findUniqueOrThrow({ where: { id: packId }, include: { customer: true } });
      const data = await exportCustomerData(ctx, pack.customerId);
      await ctx.mailer.sendMail({
        to: pack.customer.email,
        from: ctx.config.MAIL_FROM,
        subject: 'Copie de vos données personnelles',
        text: 'Bonjour,\n\nVous trouverez en pièce jointe une copie de toutes les données que nous détenons à votre sujet (format JSON).\n\nimaginasite',
        attachments: [
          { filename: 'mes-donnees-imaginasite.json', content: JSON.stringify(data, null, 2), contentType: 'application/json' },
        ],
      });
      redirectWithFlash(req, res, '/espace', 'Une copie de vos données vient de vous être envoyée par e-mail.');
    }),
  );

  // ------------------------------------------------------------------------------------------- dashboard
  const navFor = (csrf: string) =>
    html`<nav>
      <a href="/admin">Packs</a><a href="/admin/disponibilites">Disponibilités</a><a href="/admin/emails">E-mails</a
      ><a href="${ctx.config.TEMPORAL_UI_URL}">Temporal</a>
      <form class="inline" method="post" action="/admin/deconnexion">
        <input type="hidden" name="csrf" value="${csrf}" /><button class="secondary">Se déconnecter</button>
      </form>
    </nav>`;
  const adminSession = (req: Request) => verifyAdminSession(secret, readCookie(req, ADMIN_COOKIE));
  const requireAdmin = (req: Request, res: Response): { csrf: string } | null => {
    const s = adminSession(req);
    if (!s) res.redirect(303, '/admin/connexion');
    return s;
  };
  const adminCsrf = (req: Request, s: { csrf: string }) => checkCsrf(req, s.csrf);

  r.get('/admin/connexion', (_req, res) => {
    send(
      res,
      'Connexion',
      html`<h1>Espace prestataire</h1>
        ${ctx.config.PROVIDER_PASSWORD_HASH ? '' : html`<p class="flash warning">Aucun mot de passe n'est configuré (PROVIDER_PASSWORD_HASH) : la connexion est impossible.</p>`}
        <form class="stack" method="post" action="/admin/connexion">
          <label for="password">Mot de passe</label
          ><input id="password" name="password" type="password" autocomplete="current-password" required />
          <p><button>Se connecter</button></p>
        </form>`,
    );
  });

  r.post(
    '/admin/connexion',
    ctx.limits.login,
    asyncRoute(async (req, res) => {
      const ip = req.ip ?? 'unknown';
      const since = new Date(Date.now() - 15 * 60_000);
      const failures = await ctx.prisma.loginAttempt.count({ where: { ip, succeeded: false, at: { gte: since } } });
      if (failures >= 5) {
        send(
          res,
          'Connexion',
          html`<h1>Espace prestataire</h1>
            <p class="flash error" role="alert">Trop de tentatives échouées : réessayez dans 15 minutes.</p>`,
          429,
        );
        return;
      }
      const password = String(req.body?.password ?? '');
      const ok = Boolean(ctx.config.PROVIDER_PASSWORD_HASH) && verifyPassword(password, ctx.config.PROVIDER_PASSWORD_HASH!);
      await ctx.prisma.loginAttempt.create({ data: { ip, succeeded: ok } });
      if (!ok) {
        await new Promise((r) => setTimeout(r, 300 * (failures + 1))); // each failure slows the next answer
        send(
          res,
          'Connexion',
          html`<h1>Espace prestataire</h1>
            <p class="flash error" role="alert">Mot de passe incorrect.</p>
            <form class="stack" method="post" action="/admin/connexion">
              <label for="password">Mot de passe</label><input id="password" name="password" type="password" required />
              <p><button>Se connecter</button></p>
            </form>`,
          401,
        );
        return;
      }
      setCookie(res, req, ADMIN_COOKIE, adminSessionValue(secret, 8 * 3600), 8 * 3600);
      res.redirect(303, '/admin');
    }),
  );

  r.post('/admin/deconnexion', (req, res) => {
    const session = adminSession(req);
    if (session) checkCsrf(req, session.csrf);
    clearCookie(res, ADMIN_COOKIE);
    res.redirect(303, '/admin/connexion');
  });

  r.get(
    '/admin',
    asyncRoute(async (req, res) => {
      const session = requireAdmin(req, res);
      if (!session) return;
      const filter = typeof req.query.filtre === 'string' ? req.query.filtre : '';
      const q =
        filter === 'attente'
          ? { status: 'AWAITING_PAYMENT' }
          : filter === 'bientot'
            ? { expiringWithinDays: 14 }
            : filter && filter in STATUS_LABELS
              ? { status: filter }
              : {};
      const packs = (await ctx.listPacks(q)) as Array<{
        packId: string;
        packCode: string;
        status: string;
        customer: { name: string; email: string };
        orderedAt: string;
        expiresAt: string | null;
        priceCents: number;
        hours: { available: number; total: number; forfeited: number };
      }>;
      const tasks = await ctx.prisma.providerTask.findMany({ where: { doneAt: null }, orderBy: { createdAt: 'desc' }, take: 50 });
      send(
        res,
        'Packs',
        html`<h1>Packs</h1>
          ${flash(takeFlash(req, res))}
          <p>
            <a href="/admin">Tous</a> · <a href="/admin?filtre=attente">En attente de paiement</a> ·
            <a href="/admin?filtre=ACTIVE">Actifs</a> · <a href="/admin?filtre=bientot">Expirent sous 14 jours</a> ·
            <a href="/admin?filtre=EXPIRED">Expirés</a>
          </p>
          ${
            tasks.length
              ? html`<h2>À faire</h2>
                  <ul>
                    ${tasks.map((t) => html`<li>${t.kind} — ${t.amountCents ? euros(t.amountCents) : ''} ${t.packId ? html`<a href="/admin/packs/${t.packId}">pack</a>` : ''}</li>`)}
                  </ul>`
              : ''
          }
          <table>
            <thead>
              <tr>
                <th>Client</th>
                <th>Pack</th>
                <th>Statut</th>
                <th>Heures</th>
                <th>Commande</th>
                <th>Expire</th>
              </tr>
            </thead>
            <tbody>
              ${packs.map(
                (p) =>
                  html`<tr>
                    <td><a href="/admin/packs/${p.packId}">${p.customer.name}</a><br /><span class="muted">${p.customer.email}</span></td>
                    <td>${p.packCode}</td>
                    <td>${STATUS_LABELS[p.status] ?? p.status}</td>
                    <td>${p.hours.available}/${p.hours.total}${p.hours.forfeited ? html` (${p.hours.forfeited} facturée(s))` : ''}</td>
                    <td>${when(p.orderedAt, zone)}</td>
                    <td>${when(p.expiresAt, zone)}</td>
                  </tr>`,
              )}
            </tbody>
          </table>`,
        200,
        navFor(session.csrf),
      );
    }),
  );

  r.get(
    '/admin/packs/:id',
    asyncRoute(async (req, res) => {
      const session = requireAdmin(req, res);
      if (!session) return;
      const packId = String(req.params.id);
      const s = ctx.packs.view(await ctx.packs.state(packId));
      const row = await ctx.prisma.pack.findUniqueOrThrow({ where: { id: packId }, include: { customer: true } });
      const events = await ctx.prisma.packEvent.findMany({ where: { packId }, orderBy: { id: 'asc' } });
      const csrf = html`<input type="hidden" name="csrf" value="${session.csrf}" />`;
      const act = (bid: string, action: string, label: string) =>
        html`<form class="inline" method="post" action="/admin/packs/${packId}/seances/${bid}/${action}">
          ${csrf}<button class="secondary">${label}</button>
        </form>`;
      send(
        res,
        row.customer.name,
        html`<h1>${row.customer.name} — ${s.label}</h1>
          ${flash(takeFlash(req, res))}
          <p>
            ${row.customer.email}${row.customer.phone ? ` · ${row.customer.phone}` : ''} · référence ${row.bankReference} ·
            <a href="${ctx.config.TEMPORAL_UI_URL}/namespaces/${ctx.config.TEMPORAL_NAMESPACE}/workflows/pack-${packId}"
              >voir dans Temporal</a
            >
          </p>
          ${row.project ? html`<p class="muted">Projet : ${row.project}</p>` : ''}
          <div class="kpis">
            <div class="kpi">Statut<b data-testid="admin-status">${STATUS_LABELS[s.status] ?? s.status}</b></div>
            <div class="kpi">Disponibles<b>${s.hours.available}</b></div>
            <div class="kpi">Utilisées<b>${s.hours.used}</b></div>
            <div class="kpi">Facturées<b data-testid="admin-forfeited">${s.hours.forfeited}</b></div>
            <div class="kpi">Réservées<b>${s.hours.reserved}</b></div>
          </div>
          <p>Payé : ${euros(s.paidCents)} / ${euros(s.priceCents)} · Expire : ${when(s.expiresAt, zone)}</p>
          ${
            s.status === 'AWAITING_PAYMENT'
              ? html`<h2>Confirmer un virement reçu</h2>
                  <form class="stack" method="post" action="/admin/packs/${packId}/paiement">
                    ${csrf}<label for="amount">Montant reçu (€)</label
                    ><input
                      id="amount"
                      name="amount"
                      type="number"
                      step="0.01"
                      min="0.01"
                      value="${(s.priceCents - s.paidCents) / 100}"
                      required
                    /><label for="reference">Référence du virement</label
                    ><input id="reference" name="reference" type="text" value="${row.bankReference}" required />
                    <p><button>Enregistrer le virement</button></p>
                  </form>`
              : ''
          }
          <h2>Séances</h2>
          <table>
            <thead>
              <tr>
                <th>Date</th>
                <th>Statut</th>
                <th>Actions</th>
              </tr>
            </thead>
            <tbody>
              ${s.bookings.map(
                (b) =>
                  html`<tr>
                    <td>${when(b.start, zone)} (${b.hours} h)</td>
                    <td>${STATUS_LABELS[b.status] ?? b.status}${b.penaltyWaived ? ' — pénalité levée' : ''}</td>
                    <td>
                      ${b.status === 'REQUESTED' ? [act(b.id, 'confirm', 'Confirmer'), act(b.id, 'decline', 'Refuser')] : ''}
                      ${b.cancellable ? act(b.id, 'cancel', 'Annuler (sans frais pour le client)') : ''}
                      ${(b.status === 'CONFIRMED' && Date.parse(b.start) <= Date.now()) || b.status === 'HELD' ? act(b.id, 'no-show', 'Signaler une absence') : ''}
                      ${(b.status === 'LATE_CANCELLED' || b.status === 'NO_SHOW') && !b.penaltyWaived ? act(b.id, 'waive', 'Lever la pénalité') : ''}
                    </td>
                  </tr>`,
              )}
            </tbody>
          </table>
          <h2>Données personnelles</h2>
          <p><a class="button secondary" href="/admin/clients/${row.customerId}/export">Exporter les données du client (JSON)</a></p>
          ${
            row.customer.erasedAt
              ? html`<p class="muted">Client effacé le ${when(row.customer.erasedAt, zone)}.</p>`
              : html`<form method="post" action="/admin/clients/${row.customerId}/effacer">
                  ${csrf}<label class="check" for="confirm-erase"
                    ><input type="checkbox" id="confirm-erase" name="confirm" value="yes" required /> Effacer définitivement les données
                    personnelles de ce client (ses packs en cours sont arrêtés ; montants, dates et références sont conservés)</label
                  ><button class="danger">Effacer le client</button>
                </form>`
          }
          <h2>Historique</h2>
          <table data-testid="timeline">
            <tbody>
              ${events.map(
                (e) =>
                  html`<tr>
                    <td>${when(e.at, zone)}</td>
                    <td>${e.type}</td>
                  </tr>`,
              )}
            </tbody>
          </table>`,
        200,
        navFor(session.csrf),
      );
    }),
  );

  r.post(
    '/admin/packs/:id/paiement',
    asyncRoute(async (req, res) => {
      const session = requireAdmin(req, res);
      if (!session) return;
      adminCsrf(req, session);
      const packId = String(req.params.id);
      const amountCents = Math.round(Number(String(req.body?.amount ?? '').replace(',', '.')) * 100);
      const reference = String(req.body?.reference ?? '').trim();
      if (!Number.isInteger(amountCents) || amountCents <= 0 || reference.length < 3)
        throw new ApiError(400, 'VALIDATION_FAILED', 'Montant ou référence invalide.');
      await ctx.packs.recordTransfer(packId, { amountCents, reference });
      redirectWithFlash(req, res, `/admin/packs/${packId}`, 'Virement enregistré.');
    }),
  );

  r.post(
    '/admin/packs/:id/seances/:bid/:action',
    asyncRoute(async (req, res) => {
      const session = requireAdmin(req, res);
      if (!session) return;
      adminCsrf(req, session);
      const action = String(req.params.action);
      if (action === 'reschedule') throw new ApiError(404, 'NOT_FOUND', 'Action inconnue.');
      await ctx.packs.providerAction(String(req.params.id), action, String(req.params.bid));
      redirectWithFlash(req, res, `/admin/packs/${String(req.params.id)}`, 'C’est fait.');
    }),
  );

  r.get(
    '/admin/clients/:customerId/export',
    asyncRoute(async (req, res) => {
      if (!requireAdmin(req, res)) return;
      const customerId = String(req.params.customerId);
      if (!/^[0-9a-f-]{36}$/.test(customerId)) throw new ApiError(404, 'NOT_FOUND', 'Client introuvable.');
      res
        .set('Content-Disposition', `attachment; filename="client-${customerId.slice(0, 8)}.json"`)
        .json(await exportCustomerData(ctx, customerId));
    }),
  );

  r.post(
    '/admin/clients/:customerId/effacer',
    asyncRoute(async (req, res) => {
      const session = requireAdmin(req, res);
      if (!session) return;
      adminCsrf(req, session);
      if (req.body?.confirm !== 'yes')
        throw new ApiError(400, 'VALIDATION_FAILED', 'Cochez la case de confirmation pour effacer ce client.');
      const customerId = String(req.params.customerId);
      if (!/^[0-9a-f-]{36}$/.test(customerId)) throw new ApiError(404, 'NOT_FOUND', 'Client introuvable.');
      const out = await eraseCustomer(ctx, ctx.keys, customerId);
      redirectWithFlash(req, res, '/admin', `Client effacé (${out.packs} pack(s)).`);
    }),
  );

  r.get(
    '/admin/disponibilites',
    asyncRoute(async (req, res) => {
      const session = requireAdmin(req, res);
      if (!session) return;
      const a = await loadAvailability(ctx.prisma);
      send(
        res,
        'Disponibilités',
        html`<h1>Disponibilités</h1>
          ${flash(takeFlash(req, res))}
          <form class="stack" method="post" action="/admin/disponibilites">
            <input type="hidden" name="csrf" value="${session.csrf}" />
            <label for="weekly">Horaires de la semaine (une ligne par plage : jour 1 = lundi … 7 = dimanche, puis début et fin)</label>
            <textarea id="weekly" name="weekly" rows="7">${a.weekly.map((w) => `${w.day} ${w.from} ${w.to}`).join('\n')}</textarea>
            <label for="exceptions">Exceptions (une ligne : date AAAA-MM-JJ puis « fermé » ou début et fin)</label>
            <textarea id="exceptions" name="exceptions" rows="5">
${a.exceptions.map((e) => (e.closed ? `${e.date} fermé` : `${e.date} ${e.from} ${e.to}`)).join('\n')}</textarea>
            <label for="minNoticeHours">Délai minimum de réservation (heures)</label
            ><input id="minNoticeHours" name="minNoticeHours" type="number" min="0" value="${a.minNoticeHours}" />
            <label for="bufferMinutes">Battement entre deux séances (minutes)</label
            ><input id="bufferMinutes" name="bufferMinutes" type="number" min="0" value="${a.bufferMinutes}" />
            <label class="check" for="autoConfirm"
              ><input type="checkbox" id="autoConfirm" name="autoConfirm" value="yes" ${a.autoConfirm ? html`checked` : ''} /> Confirmer
              automatiquement les demandes</label
            >
            <p><button>Enregistrer</button></p>
          </form>`,
        200,
        navFor(session.csrf),
      );
    }),
  );

  r.post(
    '/admin/disponibilites',
    asyncRoute(async (req, res) => {
      const session = requireAdmin(req, res);
      if (!session) return;
      adminCsrf(req, session);
      const lines = (v: unknown) =>
        String(v ?? '')
          .split(/\r?\n/)
          .map((l) => l.trim())
          .filter(Boolean);
      const candidate = {
        timezone: zone,
        weekly: lines(req.body?.weekly).map((l) => {
          const [day, from, to] = l.split(/\s+/);
          return { day: Number(day), from, to };
        }),
        exceptions: lines(req.body?.exceptions).map((l) => {
          const [date, a, b] = l.split(/\s+/);
          return /^ferm/i.test(a ?? '') ? { date, closed: true } : { date, from: a, to: b };
        }),
        // An empty field is an error, not zero.
        minNoticeHours: String(req.body?.minNoticeHours ?? '').trim() === '' ? NaN : Number(req.body.minNoticeHours),
        bufferMinutes: String(req.body?.bufferMinutes ?? '').trim() === '' ? NaN : Number(req.body.bufferMinutes),
        autoConfirm: req.body?.autoConfirm === 'yes',
      };
      const parsed = availabilitySchema.safeParse(candidate);
      if (!parsed.success)
        throw new ApiError(
          400,
          'VALIDATION_FAILED',
          `Disponibilités invalides : ${parsed.error.issues
            .map((i) => `${i.path.join('.')} ${i.message}`)
            .slice(0, 3)
            .join(' ; ')}`,
        );
      await ctx.saveAvailability(parsed.data);
      redirectWithFlash(req, res, '/admin/disponibilites', 'Disponibilités enregistrées.');
    }),
  );

  r.get(
    '/admin/emails',
    asyncRoute(async (req, res) => {
      const session = requireAdmin(req, res);
      if (!session) return;
      const rows = await ctx.prisma.outboxEmail.findMany({ orderBy: { id: 'desc' }, take: 200 });
      send(
        res,
        'E-mails',
        html`<h1>E-mails envoyés et en attente</h1>
          <table>
            <thead>
              <tr>
                <th>Créé</th>
                <th>À</th>
                <th>Objet</th>
                <th>État</th>
              </tr>
            </thead>
            <tbody>
              ${rows.map(
                (e) =>
                  html`<tr>
                    <td>${when(e.createdAt, zone)}</td>
                    <td>${e.toAddress}</td>
                    <td>${e.subject}</td>
                    <td>
                      ${e.status === 'SENT' ? `envoyé ${when(e.sentAt, zone)}` : `en attente (${e.attempts} essai(s)${e.lastError ? ` : ${e.lastError.slice(0, 80)}` : ''})`}
                    </td>
                  </tr>`,
              )}
            </tbody>
          </table>`,
        200,
        navFor(session.csrf),
      );
    }),
  );

  return r;
}

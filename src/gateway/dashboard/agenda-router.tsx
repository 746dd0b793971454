/**
 * The dashboard's home, the agenda (`/admin`: the week, what waits on the provider, the month), and the calendars page
 * (`/admin/calendrier`: the sessions feed, the provider's own calendar). Handlers parse, call, render.
 */
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import type { GatewayContext } from '../context';
import { ProviderCalendars, sourceView } from '../calendar/service';
import { checkCalendarSource } from '../calendar/source-input';
import { csrfToken, isAdmin, redirectWithFlash, requireCsrf, takeFlash } from '../http/session';
import { formField } from '../http/validation';
import { sendPage } from '../views/render';
import { CALENDAR_ERROR_LABELS, label } from '../views/labels';
import type { CalendarSourceRow } from '../calendar/data';
import { agendaMonth, agendaWeek } from './agenda-period';
import { AgendaPage, CalendarPage, type CalendarForm } from './agenda';

/** How long a page waits for the calendar's read it asked for before it answers (the read goes on regardless). */
const READ_WAIT_MS = 10_000;
const EXPIRING_DAYS = 14;

/** What the provider reads once a read of their calendar was asked for. */
function readDone(
  before: CalendarSourceRow | undefined,
  after: CalendarSourceRow | undefined,
): { message: string; kind: 'ok' | 'error' | 'warning' } {
  if (!after) return { message: 'Aucun agenda connecté.', kind: 'warning' };
  const read =
    after.lastAttemptAt && (!before?.lastAttemptAt || after.lastAttemptAt > before.lastAttemptAt || after.revision !== before.revision);
  if (!read)
    return { message: 'Lecture de votre agenda demandée : son résultat s’affichera ici dans un instant (actualisez la page).', kind: 'ok' };
  if (after.lastErrorCode && after.lastAttemptAt?.getTime() !== after.lastSuccessAt?.getTime()) {
    return {
      message: `Votre agenda n’a pas pu être lu : ${label(CALENDAR_ERROR_LABELS, after.lastErrorCode, 'erreur de lecture')}${after.lastError ? ` (${after.lastError})` : ''}.`,
      kind: 'error',
    };
  }
  return {
    message: `Agenda lu : ${after.busyCount ?? 0} créneau(x) occupé(s) ferment désormais les réservations à ces heures.`,
    kind: 'ok',
  };
}

export function agendaRouter(ctx: GatewayContext): Router {
  const r = express.Router();
  const calendars = new ProviderCalendars(ctx);
  const common = (req: Request) => ({ csrf: csrfToken(req), zone: ctx.zone, temporalUiUrl: ctx.config.TEMPORAL_UI_URL });
  const signedIn = (req: Request, res: Response, next: NextFunction) => (isAdmin(req) ? next() : res.redirect(303, '/admin/connexion'));
  const change = [signedIn, requireCsrf];

  r.get('/admin', signedIn, async (req, res) => {
    // The packs' list moved to /admin/packs: its filtered addresses still lead there.
    if (typeof req.query.filtre === 'string') return res.redirect(301, `/admin/packs?filtre=${encodeURIComponent(req.query.filtre)}`);
    const nowMs = Date.now();
    const week = agendaWeek(req.query.semaine, ctx.zone, nowMs);
    const month = agendaMonth(req.query.mois, ctx.zone, nowMs);
    const windowMs = ctx.settings.noShowReportWindowMs;
    const [sessions, busy, requests, transfers, tasks, noShows, expiring, figures, source] = await Promise.all([
      ctx.data.agendaSessions(week.fromMs, week.toMs),
      ctx.data.busyTimes(week.fromMs, week.toMs),
      ctx.data.bookingRequests(),
      ctx.data.transfersAwaited(),
      ctx.data.pendingActions(),
      ctx.data.noShowReportable(nowMs, windowMs),
      ctx.data.packsExpiringSoon(nowMs, EXPIRING_DAYS),
      ctx.data.monthFigures(month.fromMs, month.toMs),
      ctx.data.calendarSource(),
    ]);
    const page = (
      <AgendaPage
        {...common(req)}
        flash={takeFlash(req)}
        nowMs={nowMs}
        zoomUrl={ctx.config.ZOOM_MEETING_URL}
        week={week}
        sessions={sessions}
        busy={busy}
        requests={requests}
        transfers={transfers}
        tasks={tasks}
        noShows={noShows}
        noShowWindowMs={windowMs}
        expiring={expiring}
        month={month}
        figures={figures}
        calendar={source ? sourceView(source) : null}
      />
    );
    sendPage(res, page);
  });

  const calendarPage = async (req: Request, res: Response, form: CalendarForm = {}, errors?: Record<string, string>) => {
    const [feedUrl, source] = await Promise.all([calendars.feedUrl(), calendars.source()]);
    const page = (
      <CalendarPage
        {...common(req)}
        flash={errors ? undefined : takeFlash(req)}
        nowMs={Date.now()}
        feedUrl={feedUrl}
        source={source ? sourceView(source) : null}
        form={form}
        errors={errors}
      />
    );
    sendPage(res, page, errors ? 400 : 200);
  };

  r.get('/admin/calendrier', signedIn, (req, res) => calendarPage(req, res));

  r.post('/admin/calendrier', ...change, async (req, res) => {
    const form: CalendarForm = {
      kind: formField(req, 'kind'),
      url: formField(req, 'url'),
      username: formField(req, 'username'),
      intervalMinutes: formField(req, 'intervalMinutes'),
    };
    const before = await calendars.source();
    const checked = checkCalendarSource({ ...form, password: formField(req, 'password') }, before);
    if (!checked.ok) return calendarPage(req, res, form, checked.errors);
    const after = await calendars.connect(checked.value, READ_WAIT_MS);
    const done = readDone(before, after);
    await redirectWithFlash(req, res, '/admin/calendrier', `Agenda enregistré. ${done.message}`, done.kind);
  });

  r.post('/admin/calendrier/synchroniser', ...change, async (req, res) => {
    const before = await calendars.source();
    const after = await calendars.syncNow(READ_WAIT_MS);
    const done = readDone(before, after);
    await redirectWithFlash(req, res, '/admin/calendrier', done.message, done.kind);
  });

  r.post('/admin/calendrier/deconnecter', ...change, async (req, res) => {
    await calendars.disconnect();
    await redirectWithFlash(req, res, '/admin/calendrier', 'Agenda déconnecté : ses rendez-vous ne ferment plus de créneaux.');
  });

  r.post('/admin/calendrier/flux/revoquer', ...change, async (req, res) => {
    await calendars.revokeFeed();
    await redirectWithFlash(
      req,
      res,
      '/admin/calendrier',
      'Nouvelle adresse créée : l’ancienne ne répond plus. Abonnez votre agenda à la nouvelle adresse ci-dessous.',
    );
  });

  return r;
}

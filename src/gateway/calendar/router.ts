/**
 * The provider's calendars over HTTP: the private sessions feed (`GET /calendar/<token>.ics`, for calendar apps) and
 * the admin API of the calendar the busy times are read from (`/api/admin/calendar`, README "HTTP API").
 */
import express, { type Router } from 'express';
import type { GatewayContext } from '../context';
import { requireProvider } from '../http/auth';
import { ApiError } from '../http/errors';
import { sessionsFeed } from './feed';
import { ProviderCalendars, sourceView } from './service';
import { calendarInputError, checkCalendarSource } from './source-input';

/** Sessions that ended more than this long ago leave the feed. */
const FEED_PAST_DAYS = 90;

export function calendarRouter(ctx: GatewayContext): Router {
  const r = express.Router();
  const calendars = new ProviderCalendars(ctx);
  const provider = requireProvider(ctx.config.PROVIDER_API_TOKEN);

  r.get('/calendar/:file', async (req, res) => {
    const token = /^([A-Za-z0-9_-]{16,64})\.ics$/.exec(String(req.params.file))?.[1];
    if (!token || !(await ctx.data.calendarFeedValid(token))) throw new ApiError(404, 'NOT_FOUND', 'Calendrier introuvable.');
    const sessions = await ctx.data.feedSessions(Date.now() - FEED_PAST_DAYS * 86_400_000);
    res
      .status(200)
      .set({ 'Content-Type': 'text/calendar; charset=utf-8', 'Cache-Control': 'private, no-store', 'X-Robots-Tag': 'noindex' })
      .send(sessionsFeed(sessions, { publicUrl: ctx.publicUrl, zoomUrl: ctx.config.ZOOM_MEETING_URL }));
  });

  const view = async () => {
    const source = await calendars.source();
    return { source: source ? sourceView(source) : null, feedUrl: await calendars.feedUrl() };
  };

  r.get('/api/admin/calendar', provider, async (_req, res) => {
    res.json(await view());
  });

  r.put('/api/admin/calendar', provider, async (req, res) => {
    const checked = checkCalendarSource(req.body, await calendars.source());
    if (!checked.ok) throw calendarInputError(checked.errors);
    await calendars.connect(checked.value);
    res.json(await view());
  });

  r.delete('/api/admin/calendar', provider, async (_req, res) => {
    await calendars.disconnect();
    res.status(204).end();
  });

  r.post('/api/admin/calendar/sync', provider, async (_req, res) => {
    if (!(await calendars.syncNow())) throw new ApiError(404, 'NOT_FOUND', 'Aucun calendrier connecté.');
    res.status(202).json(await view());
  });

  r.post('/api/admin/calendar/feed/revoke', provider, async (_req, res) => {
    await calendars.revokeFeed();
    res.json(await view());
  });

  return r;
}

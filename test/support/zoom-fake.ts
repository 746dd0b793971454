// A local fake of the few Zoom API endpoints the product uses (Zoom cannot be reached from our machines), following
// Zoom's published request and response shapes: Server-to-Server OAuth (`POST /oauth/token?grant_type=
// account_credentials&account_id=…`, Basic auth), `POST /v2/users/{userId}/meetings` (201, the meeting),
// `PATCH /v2/meetings/{id}` (204), `DELETE /v2/meetings/{id}` (204, 404 when unknown) and
// `GET /v2/users/{userId}/meetings?type=upcoming`. It checks what Zoom would refuse (credentials, bearer token,
// required fields) and records every call, so tests assert what was asked of Zoom.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';

export interface FakeMeeting {
  id: number;
  topic: string;
  agenda: string;
  start_time: string;
  duration: number;
  timezone: string;
  join_url: string;
  settings: Record<string, unknown>;
}

export interface ZoomFake {
  /** Where the product's ZOOM_API_URL and ZOOM_OAUTH_URL point. */
  apiUrl: string;
  oauthUrl: string;
  credentials: { accountId: string; clientId: string; clientSecret: string };
  meetings: Map<number, FakeMeeting>;
  calls: Array<{ method: string; path: string; body: unknown }>;
  tokensIssued: number;
  /** While set, every API call (not the token) answers this status. */
  failWith: number | null;
  /** Revokes the tokens issued so far (the next call gets 401, as Zoom answers an expired token). */
  revokeTokens(): void;
  stop(): Promise<void>;
}

export async function startZoomFake(): Promise<ZoomFake> {
  const credentials = { accountId: 'acc_test', clientId: 'client_test', clientSecret: 'secret_test' };
  const app = express();
  app.use(express.json());
  const validTokens = new Set<string>();
  let nextId = 81_000_000_000;
  const fake = {
    credentials,
    meetings: new Map<number, FakeMeeting>(),
    calls: [] as ZoomFake['calls'],
    tokensIssued: 0,
    failWith: null as number | null,
    revokeTokens: () => validTokens.clear(),
  };

  app.post('/oauth/token', (req, res) => {
    const basic = Buffer.from(`${credentials.clientId}:${credentials.clientSecret}`).toString('base64');
    if (req.get('authorization') !== `Basic ${basic}`)
      return res.status(401).json({ reason: 'Invalid client_id or client_secret', error: 'invalid_client' });
    if (req.query.grant_type !== 'account_credentials' || req.query.account_id !== credentials.accountId)
      return res.status(400).json({ reason: 'Invalid request : Bad Request', error: 'invalid_request' });
    const token = `tok_${++fake.tokensIssued}`;
    validTokens.add(token);
    res.json({
      access_token: token,
      token_type: 'bearer',
      expires_in: 3599,
      scope: 'meeting:write:meeting:admin',
      api_url: 'https://api.zoom.us',
    });
  });

  const api = express.Router();
  api.use((req, res, next) => {
    fake.calls.push({ method: req.method, path: req.originalUrl.replace(/^\/v2/, ''), body: req.body as unknown });
    const token = /^Bearer (.+)$/.exec(req.get('authorization') ?? '')?.[1];
    if (!token || !validTokens.has(token)) return res.status(401).json({ code: 124, message: 'Invalid access token.' });
    if (fake.failWith) return res.status(fake.failWith).json({ code: 300, message: 'Zoom is having a bad day.' });
    next();
  });
  api.post('/users/:userId/meetings', (req, res) => {
    const b = req.body as Partial<FakeMeeting> & { type?: number };
    if (!b.topic || b.type !== 2 || !b.start_time || !b.duration) return res.status(400).json({ code: 300, message: 'Validation Failed.' });
    const id = ++nextId;
    const meeting: FakeMeeting = {
      id,
      topic: b.topic,
      agenda: b.agenda ?? '',
      start_time: b.start_time,
      duration: b.duration,
      timezone: b.timezone ?? 'UTC',
      join_url: `https://us05web.zoom.us/j/${id}?pwd=fake${id}`,
      settings: b.settings ?? {},
    };
    fake.meetings.set(id, meeting);
    res.status(201).json({ ...meeting, uuid: `uuid-${id}`, host_id: 'host', type: 2, created_at: new Date().toISOString() });
  });
  api.get('/users/:userId/meetings', (_req, res) => {
    const meetings = [...fake.meetings.values()];
    res.json({ page_size: 300, total_records: meetings.length, next_page_token: '', meetings });
  });
  api.patch('/meetings/:id', (req, res) => {
    const m = fake.meetings.get(Number(req.params.id));
    if (!m) return res.status(404).json({ code: 3001, message: 'Meeting does not exist.' });
    const b = req.body as Partial<FakeMeeting>;
    Object.assign(m, { ...(b.start_time ? { start_time: b.start_time } : {}), ...(b.duration ? { duration: b.duration } : {}) });
    res.status(204).end();
  });
  api.delete('/meetings/:id', (req, res) => {
    if (!fake.meetings.delete(Number(req.params.id))) return res.status(404).json({ code: 3001, message: 'Meeting does not exist.' });
    res.status(204).end();
  });
  app.use('/v2', api);

  const server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const zoom: ZoomFake = Object.assign(fake, {
    apiUrl: `${base}/v2`,
    oauthUrl: `${base}/oauth/token`,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  });
  return zoom;
}

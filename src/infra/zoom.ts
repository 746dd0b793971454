/**
 * Zoom's REST API (v2) with a Server-to-Server OAuth app: a meeting per session (src/activities/meetings.ts). Only the
 * few calls used, as Zoom documents them:
 * - `POST {oauth}?grant_type=account_credentials&account_id=…` with Basic auth (client id and secret) →
 *   `{ access_token, token_type: "bearer", expires_in }` (an hour), kept until shortly before it expires;
 * - `POST /users/{userId}/meetings` `{ topic, type: 2, start_time, duration, timezone, agenda, settings }` → 201, the
 *   meeting (`id`, `join_url`, `start_time`, `duration`);
 * - `PATCH /meetings/{meetingId}` `{ start_time, duration }` → 204;
 * - `DELETE /meetings/{meetingId}` → 204 (404: already gone);
 * - `GET /users/{userId}/meetings?type=upcoming&page_size=300` → `{ meetings: [...] }`, to find a meeting an attempt
 *   created and could not record (Zoom takes no idempotency key).
 * Zoom cannot be reached from the project's machines: the tests run these calls against a local fake that follows
 * these shapes (test/support/zoom-fake.ts).
 */

export interface ZoomConfig {
  accountId: string;
  clientId: string;
  clientSecret: string;
  /** `https://api.zoom.us/v2` */
  apiUrl: string;
  /** `https://zoom.us/oauth/token` */
  oauthUrl: string;
  /** Whose meetings: `me`, the app's account owner, by default. */
  userId: string;
}

export interface ZoomMeeting {
  id: string;
  joinUrl: string;
  topic: string;
  startTime: string;
  durationMinutes: number;
}

export class ZoomError extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'ZoomError';
  }
}

/** One request's time limit: Zoom answers in well under a second; a hung connection must not hold a pack's events. */
const REQUEST_TIMEOUT_MS = 8_000;

interface RawMeeting {
  id: number | string;
  join_url: string;
  topic: string;
  start_time: string;
  duration: number;
}

const meetingOf = (m: RawMeeting): ZoomMeeting => ({
  id: String(m.id),
  joinUrl: m.join_url,
  topic: m.topic,
  startTime: m.start_time,
  durationMinutes: m.duration,
});

export function createZoomClient(config: ZoomConfig, fetchImpl: typeof fetch = fetch) {
  let token: { value: string; untilMs: number } | undefined;

  async function accessToken(): Promise<string> {
    if (token && token.untilMs > Date.now()) return token.value;
    const url = `${config.oauthUrl}?grant_type=account_credentials&account_id=${encodeURIComponent(config.accountId)}`;
    const basic = Buffer.from(`${config.clientId}:${config.clientSecret}`).toString('base64');
    const res = await fetchImpl(url, {
      method: 'POST',
      headers: { authorization: `Basic ${basic}` },
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    if (!res.ok) throw new ZoomError(`Zoom OAuth answered ${res.status}`, res.status);
    const body = (await res.json()) as { access_token?: string; expires_in?: number };
    if (!body.access_token) throw new ZoomError('Zoom OAuth gave no access token');
    // Renewed a minute before Zoom says it expires.
    token = { value: body.access_token, untilMs: Date.now() + Math.max(60, (body.expires_in ?? 3600) - 60) * 1000 };
    return token.value;
  }

  async function call(method: string, path: string, body?: unknown): Promise<Response> {
    for (let attempt = 0; ; attempt++) {
      const res = await fetchImpl(`${config.apiUrl}${path}`, {
        method,
        headers: { authorization: `Bearer ${await accessToken()}`, ...(body ? { 'content-type': 'application/json' } : {}) },
        ...(body ? { body: JSON.stringify(body) } : {}),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
      // A token revoked or expired early: one new token, once.
      if (res.status === 401 && attempt === 0) {
        token = undefined;
        continue;
      }
      return res;
    }
  }

  const user = encodeURIComponent(config.userId);

  return {
    async createMeeting(m: { topic: string; agenda: string; startTime: string; durationMinutes: number; timezone: string }) {
      const res = await call('POST', `/users/${user}/meetings`, {
        topic: m.topic,
        type: 2, // a scheduled meeting
        start_time: m.startTime,
        duration: m.durationMinutes,
        timezone: m.timezone,
        agenda: m.agenda,
        // The client waits in the waiting room until the provider lets them in: one joining early meets nobody else.
        settings: { join_before_host: false, waiting_room: true },
      });
      if (res.status !== 201) throw new ZoomError(`Zoom refused to create the meeting (${res.status})`, res.status);
      return meetingOf((await res.json()) as RawMeeting);
    },

    async updateMeeting(id: string, m: { startTime: string; durationMinutes: number; timezone: string }) {
      const res = await call('PATCH', `/meetings/${encodeURIComponent(id)}`, {
        start_time: m.startTime,
        duration: m.durationMinutes,
        timezone: m.timezone,
      });
      if (res.status !== 204) throw new ZoomError(`Zoom refused to move meeting ${id} (${res.status})`, res.status);
    },

    /** Deletes a meeting; one already gone is not an error. */
    async deleteMeeting(id: string) {
      const res = await call('DELETE', `/meetings/${encodeURIComponent(id)}`);
      if (res.status !== 204 && res.status !== 404) throw new ZoomError(`Zoom refused to delete meeting ${id} (${res.status})`, res.status);
    },

    /** The account's upcoming meetings whose topic holds `marker`. */
    async findMeetings(marker: string): Promise<ZoomMeeting[]> {
      const res = await call('GET', `/users/${user}/meetings?type=upcoming&page_size=300`);
      if (!res.ok) throw new ZoomError(`Zoom refused to list the meetings (${res.status})`, res.status);
      const body = (await res.json()) as { meetings?: RawMeeting[] };
      return (body.meetings ?? []).filter((m) => m.topic.includes(marker)).map(meetingOf);
    },
  };
}

export type ZoomClient = ReturnType<typeof createZoomClient>;

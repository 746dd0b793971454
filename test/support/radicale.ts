// A real CalDAV server for the calendar tests: Radicale (provisioned from PyPI by scripts/provision.mjs), one per test
// file on a free port, with one user and one calendar, its collections in a temporary folder. Stopped with the file.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../../scripts/lib/local-stack';
import { Supervisor } from '../../scripts/lib/supervisor';

export interface RadicaleServer {
  /** The server's root (what a provider may type: discovery finds the calendars). */
  rootUrl: string;
  /** The address of the one calendar. */
  calendarUrl: string;
  username: string;
  password: string;
  /** Writes (or replaces) one event of the calendar, as a calendar app does (PUT of an iCalendar object). */
  put(name: string, ics: string): Promise<void>;
  remove(name: string): Promise<void>;
  stop(): Promise<void>;
}

export async function startRadicale(): Promise<RadicaleServer> {
  const bin = process.env.RADICALE_PATH;
  if (!bin) throw new Error('RADICALE_PATH is missing: run the tests through npm test (scripts/provision.mjs provisions Radicale)');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'imaginasite-radicale-'));
  const port = await freePort();
  const username = 'prestataire';
  const password = 'mot-de-passe-caldav';
  fs.writeFileSync(path.join(dir, 'users'), `${username}:${password}\n`);
  fs.writeFileSync(
    path.join(dir, 'config'),
    [
      '[server]',
      `hosts = 127.0.0.1:${port}`,
      '[auth]',
      'type = htpasswd',
      `htpasswd_filename = ${path.join(dir, 'users')}`,
      'htpasswd_encryption = plain',
      // Radicale delays every failed login by default; the tests try a wrong password on purpose.
      'delay = 0',
      '[storage]',
      `filesystem_folder = ${path.join(dir, 'collections')}`,
      '[rights]',
      'type = owner_only',
      '[logging]',
      'level = warning',
      '',
    ].join('\n'),
  );
  const supervisor = new Supervisor();
  await supervisor.start({
    name: 'radicale',
    command: bin,
    args: ['--config', path.join(dir, 'config')],
    log: path.join(dir, 'radicale.log'),
    ready: { port },
    readyTimeoutMs: 30_000,
  });
  const rootUrl = `http://127.0.0.1:${port}/`;
  const calendarUrl = `${rootUrl}${username}/agenda/`;
  const auth = `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
  const made = await fetch(calendarUrl, {
    method: 'MKCALENDAR',
    headers: { authorization: auth, 'content-type': 'application/xml' },
    body: `<?xml version="1.0" encoding="utf-8"?>
<C:mkcalendar xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">
  <D:set><D:prop><D:displayname>Agenda</D:displayname>
    <C:supported-calendar-component-set><C:comp name="VEVENT"/></C:supported-calendar-component-set>
  </D:prop></D:set>
</C:mkcalendar>`,
  });
  if (made.status !== 201) throw new Error(`Radicale refused MKCALENDAR: ${made.status} ${await made.text()}`);
  return {
    rootUrl,
    calendarUrl,
    username,
    password,
    async put(name, ics) {
      const res = await fetch(`${calendarUrl}${name}.ics`, {
        method: 'PUT',
        headers: { authorization: auth, 'content-type': 'text/calendar; charset=utf-8' },
        body: ics,
      });
      if (res.status !== 201 && res.status !== 204) throw new Error(`Radicale refused PUT ${name}: ${res.status} ${await res.text()}`);
    },
    async remove(name) {
      await fetch(`${calendarUrl}${name}.ics`, { method: 'DELETE', headers: { authorization: auth } });
    },
    async stop() {
      await supervisor.stopAll();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

import { busyTimesOf, MalformedCalendar, type BusyWindow } from '../../src/infra/calendar-busy';
import { CalendarThreadTimeout, readBusyTimes } from '../../src/infra/calendar-thread';

// The busy times of the provider's own calendar, read as a calendar app would: recurrences with their exceptions,
// all-day events on Paris days, time zones by the file's VTIMEZONE or by their IANA name, floating times in Paris.
// Then hostile calendars: each is bounded in time and size, and the event loop keeps turning while one is read.

const cal = (...events: string[]) =>
  ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//imaginasite//tests//FR', ...events, 'END:VCALENDAR', ''].join('\r\n');
const event = (lines: string[]) => ['BEGIN:VEVENT', `DTSTAMP:20261001T000000Z`, ...lines, 'END:VEVENT'].join('\r\n');

const WINDOW: BusyWindow = {
  fromMs: Date.parse('2026-10-01T00:00:00Z'),
  toMs: Date.parse('2027-01-01T00:00:00Z'),
  zone: 'Europe/Paris',
  maxRanges: 1000,
  maxIterations: 5000,
};
const ranges = (texts: string[], w: Partial<BusyWindow> = {}) =>
  busyTimesOf(texts, { ...WINDOW, ...w }).ranges.map((r) => [new Date(r.startMs).toISOString(), new Date(r.endMs).toISOString(), r.allDay]);

const PARIS_VTIMEZONE = [
  'BEGIN:VTIMEZONE',
  'TZID:Romance Standard Time',
  'BEGIN:STANDARD',
  'DTSTART:16011028T030000',
  'RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10',
  'TZOFFSETFROM:+0200',
  'TZOFFSETTO:+0100',
  'END:STANDARD',
  'BEGIN:DAYLIGHT',
  'DTSTART:16010325T020000',
  'RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3',
  'TZOFFSETFROM:+0100',
  'TZOFFSETTO:+0200',
  'END:DAYLIGHT',
  'END:VTIMEZONE',
].join('\r\n');

describe('busy times of an iCalendar text', () => {
  test('a weekly appointment at 10:00 Paris stays at 10:00 across the October change of hour (IANA TZID, no VTIMEZONE)', () => {
    const text = cal(
      event([
        'UID:dentist',
        'DTSTART;TZID=Europe/Paris:20261019T100000',
        'DTEND;TZID=Europe/Paris:20261019T110000',
        'RRULE:FREQ=WEEKLY;COUNT=3',
      ]),
    );
    expect(ranges([text])).toEqual([
      ['2026-10-19T08:00:00.000Z', '2026-10-19T09:00:00.000Z', false],
      ['2026-10-26T09:00:00.000Z', '2026-10-26T10:00:00.000Z', false],
      ['2026-11-02T09:00:00.000Z', '2026-11-02T10:00:00.000Z', false],
    ]);
  });

  test('a time zone the file defines (Outlook’s « Romance Standard Time ») converts by its VTIMEZONE', () => {
    const text = cal(
      PARIS_VTIMEZONE,
      event(['UID:outlook', 'DTSTART;TZID=Romance Standard Time:20261023T140000', 'DTEND;TZID=Romance Standard Time:20261023T150000']),
      event(['UID:outlook-2', 'DTSTART;TZID=Romance Standard Time:20261106T140000', 'DTEND;TZID=Romance Standard Time:20261106T150000']),
    );
    expect(ranges([text])).toEqual([
      ['2026-10-23T12:00:00.000Z', '2026-10-23T13:00:00.000Z', false],
      ['2026-11-06T13:00:00.000Z', '2026-11-06T14:00:00.000Z', false],
    ]);
  });

  test('a recurrence honours EXDATE, a moved occurrence (RECURRENCE-ID) and a cancelled one', () => {
    const text = cal(
      event([
        'UID:weekly',
        'DTSTART;TZID=Europe/Paris:20261102T090000',
        'DTEND;TZID=Europe/Paris:20261102T100000',
        'RRULE:FREQ=WEEKLY;UNTIL=20261201T000000Z',
        'EXDATE;TZID=Europe/Paris:20261109T090000',
      ]),
      event([
        'UID:weekly',
        'RECURRENCE-ID;TZID=Europe/Paris:20261116T090000',
        'DTSTART;TZID=Europe/Paris:20261117T150000',
        'DTEND;TZID=Europe/Paris:20261117T163000',
      ]),
      event([
        'UID:weekly',
        'RECURRENCE-ID;TZID=Europe/Paris:20261123T090000',
        'DTSTART;TZID=Europe/Paris:20261123T090000',
        'STATUS:CANCELLED',
      ]),
    );
    expect(ranges([text])).toEqual([
      ['2026-11-02T08:00:00.000Z', '2026-11-02T09:00:00.000Z', false],
      ['2026-11-17T14:00:00.000Z', '2026-11-17T15:30:00.000Z', false],
      ['2026-11-30T08:00:00.000Z', '2026-11-30T09:00:00.000Z', false],
    ]);
  });

  test('an all-day event blocks its whole days in Paris, a multi-day one each of them', () => {
    const text = cal(
      event(['UID:holiday', 'DTSTART;VALUE=DATE:20261111', 'DTEND;VALUE=DATE:20261112']),
      event(['UID:trip', 'DTSTART;VALUE=DATE:20261221', 'DTEND;VALUE=DATE:20261224']),
      event(['UID:no-end', 'DTSTART;VALUE=DATE:20261001']),
    );
    expect(ranges([text])).toEqual([
      ['2026-11-10T23:00:00.000Z', '2026-11-11T23:00:00.000Z', true],
      ['2026-12-20T23:00:00.000Z', '2026-12-23T23:00:00.000Z', true],
      ['2026-10-01T00:00:00.000Z', '2026-10-01T22:00:00.000Z', true],
    ]);
  });

  test('UTC times are UTC, floating times are Paris time, DURATION gives the end', () => {
    const text = cal(
      event(['UID:utc', 'DTSTART:20261105T160000Z', 'DTEND:20261105T170000Z']),
      event(['UID:floating', 'DTSTART:20261106T160000', 'DURATION:PT45M']),
    );
    expect(ranges([text])).toEqual([
      ['2026-11-05T16:00:00.000Z', '2026-11-05T17:00:00.000Z', false],
      ['2026-11-06T15:00:00.000Z', '2026-11-06T15:45:00.000Z', false],
    ]);
  });

  test('free time, cancelled events and our own sessions (UID @imaginasite.com) are not busy', () => {
    const text = cal(
      event(['UID:free', 'DTSTART:20261105T160000Z', 'DTEND:20261105T170000Z', 'TRANSP:TRANSPARENT']),
      event(['UID:cancelled', 'DTSTART:20261105T180000Z', 'DTEND:20261105T190000Z', 'STATUS:CANCELLED']),
      event(['UID:0b6f7d0e-0000-4000-8000-000000000000@imaginasite.com', 'DTSTART:20261105T080000Z', 'DTEND:20261105T090000Z']),
    );
    expect(ranges([text])).toEqual([]);
  });

  test('an event with an unreadable date is skipped, the others kept', () => {
    const text = cal(
      event(['UID:bad', 'DTSTART:2026-13-45T99:00:00']),
      event(['UID:good', 'DTSTART:20261105T160000Z', 'DTEND:20261105T170000Z']),
    );
    const busy = busyTimesOf([text], WINDOW);
    expect(busy.ranges).toHaveLength(1);
    expect(busy.skipped).toBe(1);
  });

  test('a text that is not iCalendar is refused as malformed', () => {
    expect(() => busyTimesOf(['<html>Not found</html>'], WINDOW)).toThrow(MalformedCalendar);
    expect(() => busyTimesOf(['BEGIN:VCARD\r\nFN:x\r\nEND:VCARD\r\n'], WINDOW)).toThrow(MalformedCalendar);
  });
});

describe('a hostile calendar is bounded and never stalls the worker', () => {
  const LIMITS = { timeoutMs: 3000, maxHeapMb: 128 };

  /** Counts the event loop's turns while `p` runs: a stalled loop would not turn. */
  async function loopTurnsDuring<T>(p: Promise<T>): Promise<{ value: T | Error; turns: number; ms: number }> {
    const started = Date.now();
    let turns = 0;
    const tick = setInterval(() => turns++, 50);
    const value = await p.catch((err: Error) => err);
    clearInterval(tick);
    return { value, turns, ms: Date.now() - started };
  }

  test('an endless recurrence (FREQ=SECONDLY, no end) stops at the range limit', async () => {
    const text = cal(event(['UID:endless', 'DTSTART:20261019T100000Z', 'DTEND:20261019T110000Z', 'RRULE:FREQ=SECONDLY']));
    const { value, ms } = await loopTurnsDuring(readBusyTimes([text], WINDOW, LIMITS));
    expect(value).toMatchObject({ ok: true, busy: { truncated: true } });
    expect((value as { busy: { ranges: unknown[] } }).busy.ranges).toHaveLength(WINDOW.maxRanges);
    expect(ms).toBeLessThan(LIMITS.timeoutMs);
  });

  test('a rule that never matches (30 February, daily) is stopped at the time limit while the event loop keeps turning', async () => {
    const text = cal(
      event(['UID:never', 'DTSTART:20261019T100000Z', 'DTEND:20261019T110000Z', 'RRULE:FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30']),
    );
    const { value, turns, ms } = await loopTurnsDuring(readBusyTimes([text], WINDOW, LIMITS));
    expect(value).toBeInstanceOf(CalendarThreadTimeout);
    expect(ms).toBeGreaterThanOrEqual(LIMITS.timeoutMs - 50);
    expect(ms).toBeLessThan(LIMITS.timeoutMs + 2000);
    // 50 ms ticks over ~3 s: the loop turned all along (a synchronous parse would have given 0 or 1).
    expect(turns).toBeGreaterThan(30);
  });

  test('a calendar at the size limit (5 MB, 60,000 events) stops at the range limit, within the time limit', async () => {
    const events = Array.from({ length: 60_000 }, (_, i) =>
      event([`UID:e${i}`, `DTSTART:202611${String((i % 28) + 1).padStart(2, '0')}T100000Z`, 'DURATION:PT1H', `SUMMARY:Rendez-vous ${i}`]),
    );
    const text = cal(events.join('\r\n'));
    expect(text.length).toBeGreaterThan(5_000_000);
    const { value, ms } = await loopTurnsDuring(readBusyTimes([text], WINDOW, { timeoutMs: 10_000, maxHeapMb: 256 }));
    expect(value).toMatchObject({ ok: true, busy: { truncated: true } });
    expect(ms).toBeLessThan(10_000);
  });

  test('garbage is refused as malformed by the thread', async () => {
    expect(await readBusyTimes(['\u0000\u0001garbage:::\r\n'.repeat(1000)], WINDOW, LIMITS)).toMatchObject({ ok: false, malformed: true });
  });
});

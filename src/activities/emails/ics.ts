/**
 * iCalendar invites (RFC 5545) for sessions: one UID per booking, SEQUENCE = the booking's revision, so a moved
 * session updates the same calendar entry (METHOD:REQUEST) and a cancelled one removes it (METHOD:CANCEL).
 */
export interface SessionInvite {
  bookingId: string;
  revision: number;
  startMs: number;
  endMs: number;
  summary: string;
  description: string;
  location: string;
  organizerEmail: string;
  attendeeEmail: string;
  attendeeName: string;
  method: 'REQUEST' | 'CANCEL';
  stampMs: number;
}

const utc = (ms: number) =>
  new Date(ms)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');

/** Escapes TEXT values (RFC 5545 §3.3.11). */
function text(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/;/g, '\\;').replace(/,/g, '\\,').replace(/\r?\n/g, '\\n');
}

/** Folds lines longer than 75 octets (RFC 5545 §3.1). */
function fold(line: string): string {
  const bytes = Buffer.from(line, 'utf8');
  if (bytes.length <= 75) return line;
  const parts: string[] = [];
  let current = '';
  for (const ch of line) {
    const limit = parts.length === 0 ? 75 : 74;
    if (Buffer.byteLength(current + ch, 'utf8') > limit) {
      parts.push(current);
      current = '';
    }
    current += ch;
  }
  parts.push(current);
  return parts.join('\r\n ');
}

export function sessionIcs(i: SessionInvite): string {
  const cancelled = i.method === 'CANCEL';
  const lines = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//imaginasite//packs//FR',
    'CALSCALE:GREGORIAN',
    `METHOD:${i.method}`,
    'BEGIN:VEVENT',
    `UID:${i.bookingId}@imaginasite.com`,
    `SEQUENCE:${i.revision}`,
    `DTSTAMP:${utc(i.stampMs)}`,
    `DTSTART:${utc(i.startMs)}`,
    `DTEND:${utc(i.endMs)}`,
    `SUMMARY:${text(i.summary)}`,
    `DESCRIPTION:${text(i.description)}`,
    `LOCATION:${text(i.location)}`,
    `URL:${i.location}`,
    `ORGANIZER;CN=imaginasite:mailto:${i.organizerEmail}`,
    `ATTENDEE;CN=${text(i.attendeeName).replace(/:/g, ' ')};ROLE=REQ-PARTICIPANT;PARTSTAT=${cancelled ? 'DECLINED' : 'ACCEPTED'}:mailto:${i.attendeeEmail}`,
    `STATUS:${cancelled ? 'CANCELLED' : 'CONFIRMED'}`,
    'END:VEVENT',
    'END:VCALENDAR',
  ];
  return lines.map(fold).join('\r\n') + '\r\n';
}

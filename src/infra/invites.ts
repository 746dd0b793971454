/**
 * Calendar invites for sessions (RFC 5545, written by ical-generator): one UID per booking and a SEQUENCE bumped on
 * every change (a move, the provider's confirmation, a cancellation), so a calendar takes each new invite over the
 * last one for the same entry, and a cancelled one removes it.
 * REQUEST and CANCEL travel with emails (iTIP); PUBLISH is a file the client downloads into a calendar.
 */
import ical, { ICalAttendeeRole, ICalAttendeeStatus, ICalCalendarMethod, ICalEventStatus } from 'ical-generator';

export type InviteMethod = 'REQUEST' | 'CANCEL' | 'PUBLISH';

export interface SessionInvite {
  bookingId: string;
  /** The booking's revision: the SEQUENCE when `sequence` is not given (bookings from before it). */
  revision: number;
  /** The booking's invite sequence (BookingView.sequence): the SEQUENCE. */
  sequence?: number;
  startMs: number;
  endMs: number;
  summary: string;
  description: string;
  location: string;
  organizerEmail: string;
  attendeeEmail: string;
  attendeeName: string;
  method: InviteMethod;
  stampMs: number;
  /** A session not yet agreed by the provider is TENTATIVE; a cancelled one is always CANCELLED. */
  tentative?: boolean;
}

const METHODS: Record<InviteMethod, ICalCalendarMethod> = {
  REQUEST: ICalCalendarMethod.REQUEST,
  CANCEL: ICalCalendarMethod.CANCEL,
  PUBLISH: ICalCalendarMethod.PUBLISH,
};

export const inviteUid = (bookingId: string) => `${bookingId}@imaginasite.com`;

export function sessionIcs(i: SessionInvite): string {
  const cancelled = i.method === 'CANCEL';
  const calendar = ical({ prodId: { company: 'imaginasite', product: 'packs', language: 'FR' }, method: METHODS[i.method] });
  calendar.createEvent({
    id: inviteUid(i.bookingId),
    sequence: i.sequence ?? i.revision,
    stamp: new Date(i.stampMs),
    start: new Date(i.startMs),
    end: new Date(i.endMs),
    summary: i.summary,
    description: i.description,
    location: i.location,
    url: i.location,
    organizer: { name: 'imaginasite', email: i.organizerEmail },
    attendees: [
      {
        name: i.attendeeName,
        email: i.attendeeEmail,
        role: ICalAttendeeRole.REQ,
        status: cancelled ? ICalAttendeeStatus.DECLINED : ICalAttendeeStatus.ACCEPTED,
      },
    ],
    status: cancelled ? ICalEventStatus.CANCELLED : i.tentative ? ICalEventStatus.TENTATIVE : ICalEventStatus.CONFIRMED,
  });
  return calendar.toString();
}

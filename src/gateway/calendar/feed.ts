/**
 * The provider's sessions as an iCalendar feed (RFC 5545, written by ical-generator) that any calendar app subscribes
 * to: one event per session, UID `<bookingId>@imaginasite.com` (the same as the clients' invites), SEQUENCE the
 * booking's revision (a move, a confirmation, a cancellation each raise it), so an app updates the event in place;
 * a cancelled or declined session stays in the feed as STATUS:CANCELLED, which removes it from the app's view.
 */
import ical, { ICalEventBusyStatus, ICalEventStatus, ICalEventTransparency } from 'ical-generator';
import { DEFAULT_CATALOG, isPackCode } from '../../shared/catalog';
import { sessionEventUid } from '../../shared/calendars';
import type { BookingStatus } from '../../shared/policy';
import { BOOKING_STATUS_LABELS } from '../views/labels';
import type { FeedSession } from './data';

const STATUS: Record<BookingStatus, ICalEventStatus> = {
  REQUESTED: ICalEventStatus.TENTATIVE,
  CONFIRMED: ICalEventStatus.CONFIRMED,
  HELD: ICalEventStatus.CONFIRMED,
  NO_SHOW: ICalEventStatus.CONFIRMED,
  LATE_CANCELLED: ICalEventStatus.CANCELLED,
  CANCELLED: ICalEventStatus.CANCELLED,
  DECLINED: ICalEventStatus.CANCELLED,
};

export function sessionsFeed(sessions: FeedSession[], o: { publicUrl: string; zoomUrl: string }): string {
  const calendar = ical({
    name: 'imaginasite — séances',
    description: 'Les séances réservées par vos clients (flux privé).',
    prodId: { company: 'imaginasite', product: 'seances', language: 'FR' },
    // Calendar apps read this as how often to refresh the subscription.
    ttl: 15 * 60,
  });
  for (const s of sessions) {
    const status = STATUS[s.status];
    const pack = isPackCode(s.packCode) ? DEFAULT_CATALOG[s.packCode].label : 'Pack';
    const cancelled = status === ICalEventStatus.CANCELLED;
    const zoomUrl = s.joinUrl ?? o.zoomUrl;
    calendar.createEvent({
      id: sessionEventUid(s.bookingId),
      sequence: s.revision,
      stamp: s.updatedAt,
      lastModified: s.updatedAt,
      start: s.start,
      end: s.end,
      summary: `${cancelled ? 'Annulée — ' : s.status === 'REQUESTED' ? 'À confirmer — ' : ''}Séance ${s.customerName} (${s.hours} h)`,
      description: [
        `Client : ${s.customerName}`,
        `${pack}, ${s.hours} heure(s)`,
        `Statut : ${BOOKING_STATUS_LABELS[s.status]}`,
        `Zoom : ${zoomUrl}`,
        `Fiche du pack : ${o.publicUrl}/admin/packs/${s.packId}`,
      ].join('\n'),
      location: zoomUrl,
      url: `${o.publicUrl}/admin/packs/${s.packId}`,
      status,
      transparency: cancelled ? ICalEventTransparency.TRANSPARENT : ICalEventTransparency.OPAQUE,
      busystatus: cancelled
        ? ICalEventBusyStatus.FREE
        : s.status === 'REQUESTED'
          ? ICalEventBusyStatus.TENTATIVE
          : ICalEventBusyStatus.BUSY,
    });
  }
  return calendar.toString();
}

/**
 * The provider's home page (`/admin`): the week's sessions day by day, what waits on the provider, and the month's
 * figures; and the calendars page (`/admin/calendrier`): the private sessions feed, and the provider's own calendar
 * whose busy times close slots.
 */
import type { AgendaSession, MonthFigures, PackExpiring, TransferAwaited } from '../agenda-data';
import type { CalendarSourceView } from '../calendar/service';
import type { FieldErrors } from '../calendar/source-input';
import type { PendingAction } from '../data';
import { euros, frenchDate, frenchTime } from '../../shared/format';
import { ActionButton, Csrf, Flash, Kpis, when, type FlashMessage } from '../views/components';
import { BOOKING_STATUS_LABELS, CALENDAR_SOURCE_KIND_LABELS } from '../views/labels';
import type { AgendaMonth, AgendaWeek } from './agenda-period';
import { AdminLayout, packLabel, PendingActionItem, type AdminProps } from './pages';

/** « il y a 12 minutes », « il y a 3 heures », « il y a 2 jours ». */
export function ageOf(at: Date | string, nowMs: number): string {
  const minutes = Math.max(0, Math.round((nowMs - new Date(at).getTime()) / 60_000));
  if (minutes < 1) return 'à l’instant';
  if (minutes < 60) return `il y a ${minutes} minute${minutes > 1 ? 's' : ''}`;
  const hours = Math.round(minutes / 60);
  if (hours < 48) return `il y a ${hours} heure${hours > 1 ? 's' : ''}`;
  const days = Math.round(hours / 24);
  return `il y a ${days} jours`;
}

/** What the dashboard says of the provider's calendar when its last read failed (nothing when all is well). */
export function CalendarAlert({ c, zone, nowMs, link }: { c: CalendarSourceView | null; zone: string; nowMs: number; link: boolean }) {
  if (!c?.error || !c.lastAttemptAt) return null;
  const failing = c.lastSuccessAt !== c.lastAttemptAt;
  if (!failing) {
    return (
      <p class="flash warning" role="status" data-testid="calendar-warning">
        Votre agenda a été lu {ageOf(c.lastAttemptAt, nowMs)}, avec un avertissement : {c.error.label}.
      </p>
    );
  }
  return (
    <div class="flash error" role="alert" data-testid="calendar-error">
      <p>
        <strong>Votre agenda personnel n’a pas pu être lu</strong> ({c.error.label}
        {c.error.message ? ` — ${c.error.message}` : ''}), en échec depuis {c.error.since ? ageOf(c.error.since, nowMs) : 'sa connexion'}
        {c.error.since ? ` (le ${when(c.error.since, zone)})` : ''}. Dernier essai {ageOf(c.lastAttemptAt, nowMs)}.
      </p>
      <p>
        {c.lastSuccessAt
          ? `Les créneaux restent bloqués selon la dernière lecture réussie, du ${when(c.lastSuccessAt, zone)} : un rendez-vous ajouté depuis n’est pas encore connu du site.`
          : 'Aucune lecture n’a encore réussi : aucun rendez-vous de votre agenda ne bloque de créneau.'}{' '}
        {link && <a href="/admin/calendrier">Voir le calendrier connecté</a>}
      </p>
    </div>
  );
}

function SessionRow({ s, zone, zoomUrl }: { s: AgendaSession; zone: string; zoomUrl: string }) {
  const cancelled = s.status === 'CANCELLED' || s.status === 'LATE_CANCELLED';
  return (
    <tr data-booking={s.bookingId} class={cancelled ? 'muted' : undefined}>
      <td data-label="Heure">
        {frenchTime(s.start, zone)} – {frenchTime(s.end, zone)}
      </td>
      <td data-label="Client">
        <a href={`/admin/packs/${s.packId}`}>{s.customerName}</a>
      </td>
      <td data-label="Pack">{packLabel(s.packCode)}</td>
      <td data-label="Heures">{s.hours}</td>
      <td data-label="Statut">
        {BOOKING_STATUS_LABELS[s.status]}
        {s.penaltyWaived ? ' — pénalité levée' : ''}
      </td>
      <td data-label="Zoom">{cancelled ? '—' : <a href={s.joinUrl ?? zoomUrl}>Rejoindre la réunion Zoom</a>}</td>
    </tr>
  );
}

function Week(p: {
  week: AgendaWeek;
  sessions: AgendaSession[];
  busy: Array<{ start: Date; end: Date; allDay: boolean }>;
  zone: string;
  zoomUrl: string;
}) {
  const { week, zone } = p;
  return (
    <section aria-labelledby="agenda-week">
      <h2 id="agenda-week">
        Semaine du {frenchDate(week.days[0].fromMs, zone)} au {frenchDate(week.days[6].fromMs, zone)} (heure de Paris)
      </h2>
      <nav class="pager" aria-label="Autres semaines">
        <a href={`/admin?semaine=${week.previous}`}>← Semaine précédente</a>
        {!week.current && <a href="/admin">Cette semaine</a>}
        <a href={`/admin?semaine=${week.next}`} data-testid="next-week">
          Semaine suivante →
        </a>
      </nav>
      {week.days.map((d) => {
        const sessions = p.sessions.filter((s) => s.start.getTime() < d.toMs && s.end.getTime() > d.fromMs);
        const busy = p.busy.filter((b) => b.start.getTime() < d.toMs && b.end.getTime() > d.fromMs);
        return (
          <section key={d.day} data-day={d.day} aria-labelledby={`day-${d.day}`}>
            <h3 id={`day-${d.day}`}>{frenchDate(d.fromMs, zone)}</h3>
            {sessions.length === 0 ? (
              <p class="muted">Aucune séance.</p>
            ) : (
              <table>
                <thead>
                  <tr>
                    <th scope="col">Heure</th>
                    <th scope="col">Client</th>
                    <th scope="col">Pack</th>
                    <th scope="col">Heures</th>
                    <th scope="col">Statut</th>
                    <th scope="col">Zoom</th>
                  </tr>
                </thead>
                <tbody>
                  {sessions.map((s) => (
                    <SessionRow key={s.bookingId} s={s} zone={zone} zoomUrl={p.zoomUrl} />
                  ))}
                </tbody>
              </table>
            )}
            {busy.length > 0 && (
              <p class="muted" data-testid="busy">
                Occupé dans votre agenda :{' '}
                {busy
                  .map((b) =>
                    b.allDay
                      ? 'toute la journée'
                      : `${frenchTime(Math.max(b.start.getTime(), d.fromMs), zone)} – ${frenchTime(Math.min(b.end.getTime(), d.toMs), zone)}`,
                  )
                  .join(', ')}
              </p>
            )}
          </section>
        );
      })}
    </section>
  );
}

export interface AgendaPageProps extends AdminProps {
  flash: FlashMessage;
  nowMs: number;
  zoomUrl: string;
  week: AgendaWeek;
  sessions: AgendaSession[];
  busy: Array<{ start: Date; end: Date; allDay: boolean }>;
  requests: AgendaSession[];
  transfers: TransferAwaited[];
  tasks: PendingAction[];
  noShows: AgendaSession[];
  noShowWindowMs: number;
  expiring: PackExpiring[];
  month: AgendaMonth;
  figures: MonthFigures;
  calendar: CalendarSourceView | null;
}

function Pending(p: AgendaPageProps) {
  const { zone, csrf } = p;
  const back = { retour: 'agenda' };
  const nothing = p.requests.length + p.transfers.length + p.tasks.length + p.noShows.length + p.expiring.length === 0;
  return (
    <section aria-labelledby="pending" data-testid="agenda-pending">
      <h2 id="pending">À faire</h2>
      {nothing && <p class="muted">Rien n’attend de réponse de votre part.</p>}
      {p.requests.length > 0 && (
        <>
          <h3>Demandes de séance à confirmer ou refuser</h3>
          <ul data-testid="booking-requests">
            {p.requests.map((s) => (
              <li key={s.bookingId} data-booking={s.bookingId}>
                {s.customerName} — {when(s.start, zone)} ({s.hours} h, {packLabel(s.packCode)}){' '}
                <ActionButton
                  action={`/admin/packs/${s.packId}/seances/${s.bookingId}/confirm`}
                  csrf={csrf}
                  label="Confirmer"
                  fields={back}
                />{' '}
                <ActionButton
                  action={`/admin/packs/${s.packId}/seances/${s.bookingId}/decline`}
                  csrf={csrf}
                  label="Refuser"
                  fields={back}
                />
              </li>
            ))}
          </ul>
        </>
      )}
      {p.transfers.length > 0 && (
        <>
          <h3>Virements attendus, à enregistrer à leur réception</h3>
          <ul data-testid="transfers-awaited">
            {p.transfers.map((t) => (
              <li key={t.packId} data-pack={t.packId}>
                {t.customerName} — {euros(t.priceCents - t.paidCents)} ({packLabel(t.packCode)}), référence {t.bankReference}, échéance le{' '}
                {when(t.paymentDeadline, zone)} — <a href={`/admin/packs/${t.packId}`}>enregistrer le virement de {t.customerName}</a>
              </li>
            ))}
          </ul>
        </>
      )}
      {p.tasks.length > 0 && (
        <>
          <h3>Remboursements et autres tâches</h3>
          <ul data-testid="pending-actions">
            {p.tasks.map((t) => (
              <PendingActionItem key={t.key} t={t} zone={zone} csrf={csrf} />
            ))}
          </ul>
        </>
      )}
      {p.noShows.length > 0 && (
        <>
          <h3>Séances commencées : une absence peut encore être signalée</h3>
          <ul data-testid="no-show-reportable">
            {p.noShows.map((s) => (
              <li key={s.bookingId} data-booking={s.bookingId}>
                {s.customerName} — {when(s.start, zone)} ({s.hours} h), signalable jusqu’au{' '}
                {when(new Date(s.end.getTime() + p.noShowWindowMs), zone)}{' '}
                <ActionButton
                  action={`/admin/packs/${s.packId}/seances/${s.bookingId}/no-show`}
                  csrf={csrf}
                  label={`Signaler l’absence de ${s.customerName}`}
                  fields={back}
                />
              </li>
            ))}
          </ul>
        </>
      )}
      {p.expiring.length > 0 && (
        <>
          <h3>Packs qui expirent dans les 14 jours avec des heures restantes</h3>
          <ul data-testid="packs-expiring">
            {p.expiring.map((x) => (
              <li key={x.packId} data-pack={x.packId}>
                <a href={`/admin/packs/${x.packId}`}>{x.customerName}</a> — {packLabel(x.packCode)}, {x.hoursAvailable} heure(s)
                restante(s), expire le {when(x.expiresAt, zone)}
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}

function Month({ month, figures: f }: { month: AgendaMonth; figures: MonthFigures }) {
  return (
    <section aria-labelledby="month" data-testid="month-summary">
      <h2 id="month">Bilan de {month.label}</h2>
      <nav class="pager" aria-label="Autres mois">
        <a href={`/admin?mois=${month.previous}`}>← Mois précédent</a>
        <a href={`/admin?mois=${month.next}`}>Mois suivant →</a>
      </nav>
      <Kpis
        items={[
          { label: 'Heures vendues', value: f.hoursSold, testId: 'hours-sold' },
          { label: 'Heures effectuées', value: f.hoursHeld, testId: 'hours-held' },
          { label: 'Heures facturées (annulations tardives, absences)', value: f.hoursBilled, testId: 'hours-billed' },
          { label: 'Heures perdues à l’expiration', value: f.hoursLostAtExpiry, testId: 'hours-lost' },
          { label: 'Encaissé', value: euros(f.cashedCents), testId: 'cashed' },
          { label: 'Remboursé', value: euros(f.refundedCents), testId: 'refunded' },
        ]}
      />
    </section>
  );
}

export function AgendaPage(p: AgendaPageProps) {
  return (
    <AdminLayout title="Agenda" csrf={p.csrf} temporalUiUrl={p.temporalUiUrl}>
      <h1>Agenda</h1>
      <Flash flash={p.flash} />
      <CalendarAlert c={p.calendar} zone={p.zone} nowMs={p.nowMs} link />
      <Week week={p.week} sessions={p.sessions} busy={p.busy} zone={p.zone} zoomUrl={p.zoomUrl} />
      <Pending {...p} />
      <Month month={p.month} figures={p.figures} />
    </AdminLayout>
  );
}

// ------------------------------------------------------------------------------------------------ the calendars page

export type CalendarForm = Partial<Record<'kind' | 'url' | 'username' | 'intervalMinutes', string>>;

function FieldError({ id, errors, field }: { id: string; errors: FieldErrors; field: keyof FieldErrors }) {
  const e = errors[field];
  return e ? (
    <p class="error-text" id={id}>
      {e.charAt(0).toUpperCase() + e.slice(1)}
    </p>
  ) : null;
}

export function CalendarPage(
  p: AdminProps & {
    flash: FlashMessage;
    nowMs: number;
    feedUrl: string;
    source: CalendarSourceView | null;
    form: CalendarForm;
    errors?: FieldErrors;
  },
) {
  const errors = p.errors ?? {};
  const f = p.form;
  const kind = f.kind ?? p.source?.kind ?? 'caldav';
  const described = (field: keyof FieldErrors, hint?: string) =>
    [errors[field] ? `calendar-${field}-error` : '', hint ?? ''].filter(Boolean).join(' ') || undefined;
  const s = p.source;
  return (
    <AdminLayout title="Calendriers" csrf={p.csrf} temporalUiUrl={p.temporalUiUrl}>
      <h1>Calendriers</h1>
      <Flash flash={p.flash} />
      <section aria-labelledby="feed">
        <h2 id="feed">Vos séances dans votre application d’agenda</h2>
        <p>
          Abonnez votre agenda (Google Agenda, Apple Calendrier, Outlook, Thunderbird…) à cette adresse privée : chaque séance y apparaît,
          mise à jour quand elle est déplacée, et marquée annulée quand elle l’est. Ne la partagez pas : elle donne les noms de vos clients.
        </p>
        <label for="feed-url">Adresse privée du flux de vos séances</label>
        <input id="feed-url" type="text" readOnly value={p.feedUrl} data-testid="feed-url" size={60} />
        <form class="inline" method="post" action="/admin/calendrier/flux/revoquer">
          <Csrf token={p.csrf} />
          <p>
            <button class="danger">Révoquer cette adresse et en créer une nouvelle</button>
          </p>
        </form>
      </section>
      <section aria-labelledby="busy">
        <h2 id="busy">Votre agenda personnel : vos rendez-vous ferment les créneaux</h2>
        <CalendarAlert c={s} zone={p.zone} nowMs={p.nowMs} link={false} />
        {s ? (
          <div data-testid="calendar-status">
            <p>
              Connecté : {CALENDAR_SOURCE_KIND_LABELS[s.kind]} <code>{s.url}</code>
              {s.username ? ` (identifiant ${s.username})` : ''}, lu toutes les {s.intervalMinutes} minute(s).
            </p>
            <p>
              {s.lastSuccessAt
                ? `Dernière lecture réussie ${ageOf(s.lastSuccessAt, p.nowMs)} (le ${when(s.lastSuccessAt, p.zone)}) : ${s.busyCount ?? 0} créneau(x) occupé(s).`
                : 'Pas encore de lecture réussie.'}
            </p>
            <div class="actions">
              <form method="post" action="/admin/calendrier/synchroniser">
                <Csrf token={p.csrf} />
                <button>Lire mon agenda maintenant</button>
              </form>
              <form method="post" action="/admin/calendrier/deconnecter">
                <Csrf token={p.csrf} />
                <button class="secondary">Déconnecter cet agenda</button>
              </form>
            </div>
          </div>
        ) : (
          <p>Aucun agenda connecté : seules vos disponibilités et les séances déjà réservées ferment des créneaux.</p>
        )}
        {Object.keys(errors).length > 0 && (
          <div class="flash error" role="alert" data-testid="calendar-form-errors">
            <p>Agenda non enregistré : corrigez les champs indiqués.</p>
            <ul>
              {Object.entries(errors).map(([k, v]) => (
                <li key={k}>{v}</li>
              ))}
            </ul>
          </div>
        )}
        <form class="stack" method="post" action="/admin/calendrier" noValidate>
          <Csrf token={p.csrf} />
          <fieldset>
            <legend>{s ? 'Changer d’agenda' : 'Connecter votre agenda'}</legend>
            <fieldset aria-describedby={described('kind')}>
              <legend>Type d’accès</legend>
              <label class="check" for="calendar-kind-caldav">
                <input type="radio" id="calendar-kind-caldav" name="kind" value="caldav" checked={kind === 'caldav'} /> Compte CalDAV
                (adresse, identifiant et mot de passe : Nextcloud, iCloud, Fastmail, Radicale…)
              </label>
              <label class="check" for="calendar-kind-ics">
                <input type="radio" id="calendar-kind-ics" name="kind" value="ics" checked={kind === 'ics'} /> Adresse ICS en lecture seule
                (l’adresse secrète au format iCal de Google Agenda, d’Outlook…)
              </label>
              <FieldError id="calendar-kind-error" errors={errors} field="kind" />
            </fieldset>
            <label for="calendar-url">Adresse du calendrier</label>
            <input
              id="calendar-url"
              name="url"
              type="text"
              inputMode="url"
              autoComplete="url"
              value={f.url ?? s?.url ?? ''}
              aria-invalid={errors.url ? 'true' : undefined}
              aria-describedby={described('url', 'calendar-url-hint')}
            />
            <p class="muted" id="calendar-url-hint">
              Commence par https:// (ou webcal:// pour une adresse ICS).
            </p>
            <FieldError id="calendar-url-error" errors={errors} field="url" />
            <label for="calendar-username">Identifiant (CalDAV seulement)</label>
            <input
              id="calendar-username"
              name="username"
              type="text"
              autoComplete="username"
              value={f.username ?? s?.username ?? ''}
              aria-invalid={errors.username ? 'true' : undefined}
              aria-describedby={described('username')}
            />
            <FieldError id="calendar-username-error" errors={errors} field="username" />
            <label for="calendar-password">Mot de passe (CalDAV seulement)</label>
            <input
              id="calendar-password"
              name="password"
              type="password"
              autoComplete="new-password"
              aria-invalid={errors.password ? 'true' : undefined}
              aria-describedby={described('password', s?.hasPassword ? 'calendar-password-hint' : undefined)}
            />
            {s?.hasPassword && (
              <p class="muted" id="calendar-password-hint">
                Laissez vide pour garder le mot de passe enregistré (même adresse, même identifiant).
              </p>
            )}
            <FieldError id="calendar-password-error" errors={errors} field="password" />
            <label for="calendar-interval">Lire l’agenda toutes les … minutes</label>
            <input
              id="calendar-interval"
              name="intervalMinutes"
              type="number"
              min="1"
              max="1440"
              value={f.intervalMinutes ?? String(s?.intervalMinutes ?? 5)}
              aria-invalid={errors.intervalMinutes ? 'true' : undefined}
              aria-describedby={described('intervalMinutes')}
            />
            <FieldError id="calendar-intervalMinutes-error" errors={errors} field="intervalMinutes" />
            <p>
              <button>Enregistrer et lire l’agenda</button>
            </p>
          </fieldset>
        </form>
      </section>
    </AdminLayout>
  );
}

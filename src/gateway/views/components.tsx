/** Pieces shared by the pages of several areas. */
import type { ComponentChildren } from 'preact';
import { frenchDateTime, frenchTime } from '../../shared/format';
import type { SlotPeriod } from '../slot-period';

export type FlashMessage = { message: string; kind: 'ok' | 'error' | 'warning' } | undefined;

export function Flash({ flash }: { flash: FlashMessage }) {
  if (!flash) return null;
  return (
    <p class={`flash ${flash.kind}`} role={flash.kind === 'error' ? 'alert' : 'status'}>
      {flash.message}
    </p>
  );
}

/** The hidden field every form that changes something carries (csrf-sync's synchroniser token). */
export const Csrf = ({ token }: { token: string }) => <input type="hidden" name="csrf" value={token} />;

/** A form of one button that posts to `action` (an action on a session, a payment…). */
export function ActionButton(p: {
  action: string;
  csrf: string;
  label: string;
  kind?: 'secondary' | 'danger';
  fields?: Record<string, string>;
}) {
  return (
    <form class="inline" method="post" action={p.action}>
      <Csrf token={p.csrf} />
      {Object.entries(p.fields ?? {}).map(([name, value]) => (
        <input key={name} type="hidden" name={name} value={value} />
      ))}
      <button class={p.kind ?? 'secondary'}>{p.label}</button>
    </form>
  );
}

export function Kpis({ items }: { items: Array<{ label: string; value: ComponentChildren; testId?: string }> }) {
  return (
    <div class="kpis">
      {items.map((k) => (
        <div class="kpi" key={k.label}>
          {k.label}
          <b data-testid={k.testId}>{k.value}</b>
        </div>
      ))}
    </div>
  );
}

/** An instant in French, in the business's time zone; « — » when there is none. */
export const When = ({ at, zone }: { at: string | Date | null | undefined; zone: string }) => <>{at ? frenchDateTime(at, zone) : '—'}</>;
export const when = (at: string | Date | null | undefined, zone: string): string => (at ? frenchDateTime(at, zone) : '—');
/** An instant as a client reads it: with its time zone named, « jeudi 26 novembre 2026 à 16h05 (heure de Paris) ». */
export const whenParis = (at: string | Date | null | undefined, zone: string): string =>
  at ? `${frenchDateTime(at, zone)} (heure de Paris)` : '—';

const DAY_LABEL = new Map<string, Intl.DateTimeFormat>();
function dayLabel(at: string | number, zone: string): string {
  let f = DAY_LABEL.get(zone);
  if (!f) DAY_LABEL.set(zone, (f = new Intl.DateTimeFormat('fr-FR', { timeZone: zone, weekday: 'long', day: 'numeric', month: 'long' })));
  return f.format(typeof at === 'number' ? at : Date.parse(at));
}
const dayOf = (isoDay: string) => Date.parse(`${isoDay}T12:00:00Z`);

/**
 * Every free start of one period, grouped by day (in the business's time zone); each slot a one-button form that posts
 * its start to `action`. Links lead to the period before and after (`?semaine=<first day>`, kept on `baseHref`).
 */
export function SlotPicker(p: {
  slots: Array<{ start: string }>;
  zone: string;
  action: string;
  csrf: string;
  period: SlotPeriod;
  baseHref: string;
}) {
  const days = new Map<string, Array<{ start: string }>>();
  for (const s of p.slots) {
    const day = dayLabel(s.start, p.zone);
    days.set(day, [...(days.get(day) ?? []), s]);
  }
  const link = (day: string) => `${p.baseHref}${p.baseHref.includes('?') ? '&' : '?'}semaine=${day}`;
  return (
    <div class="slot-picker">
      <p data-testid="slot-period">
        Créneaux du {dayLabel(dayOf(p.period.fromDay), p.zone)} au {dayLabel(dayOf(p.period.toDay), p.zone)} (heure de Paris).
      </p>
      {p.slots.length === 0 && <p class="muted">Aucun créneau libre sur cette période.</p>}
      {[...days].map(([day, list]) => (
        <section key={day}>
          <h3>{day}</h3>
          <div class="slots">
            {list.map((s) => (
              <form key={s.start} method="post" action={p.action}>
                <Csrf token={p.csrf} />
                <input type="hidden" name="start" value={s.start} />
                <button class="secondary" data-slot={s.start} aria-label={`${day} à ${frenchTime(s.start, p.zone)}`}>
                  {frenchTime(s.start, p.zone)}
                </button>
              </form>
            ))}
          </div>
        </section>
      ))}
      <nav class="pager" aria-label="Autres périodes">
        {p.period.previous ? <a href={link(p.period.previous)}>← Semaine précédente</a> : <span />}
        {p.period.next && (
          <a href={link(p.period.next)} data-testid="next-period">
            Semaine suivante →
          </a>
        )}
      </nav>
    </div>
  );
}

/** The provider's sign-in form (the page and its error answer alike). */
export function LoginForm() {
  return (
    <form class="stack" method="post" action="/admin/connexion">
      <label for="password">Mot de passe</label>
      <input id="password" name="password" type="password" autocomplete="current-password" required />
      <p>
        <button>Se connecter</button>
      </p>
    </form>
  );
}

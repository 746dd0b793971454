/** Pieces shared by the pages of several areas. */
import type { ComponentChildren } from 'preact';
import { frenchDateTime, frenchTime } from '../../shared/format';

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

const DAY_LABEL = new Map<string, Intl.DateTimeFormat>();
function dayLabel(iso: string, zone: string): string {
  let f = DAY_LABEL.get(zone);
  if (!f) DAY_LABEL.set(zone, (f = new Intl.DateTimeFormat('fr-FR', { timeZone: zone, weekday: 'long', day: 'numeric', month: 'long' })));
  return f.format(Date.parse(iso));
}

/**
 * Free slots grouped by day (in the business's time zone), at most `perDay` a day; each slot a one-button form that
 * posts its start to `action`.
 */
export function SlotPicker(p: { slots: Array<{ start: string }>; zone: string; action: string; csrf: string; perDay?: number }) {
  if (p.slots.length === 0) return <p class="muted">Aucun créneau libre dans les trois prochaines semaines.</p>;
  const days = new Map<string, Array<{ start: string }>>();
  for (const s of p.slots) {
    const day = dayLabel(s.start, p.zone);
    const list = days.get(day) ?? [];
    if (list.length < (p.perDay ?? 12)) list.push(s);
    days.set(day, list);
  }
  return (
    <>
      {[...days].map(([day, list]) => (
        <section key={day}>
          <h3>{day}</h3>
          <div class="slots">
            {list.map((s) => (
              <form key={s.start} method="post" action={p.action}>
                <Csrf token={p.csrf} />
                <input type="hidden" name="start" value={s.start} />
                <button class="secondary" data-slot={s.start}>
                  {frenchTime(s.start, p.zone)}
                </button>
              </form>
            ))}
          </div>
        </section>
      ))}
    </>
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

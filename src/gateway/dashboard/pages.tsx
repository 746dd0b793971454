import { Fragment, type ComponentChildren } from 'preact';
import { DEFAULT_CATALOG, isPackCode } from '../../shared/catalog';
import { euros } from '../../shared/format';
import type { Availability } from '../../shared/policy';
import type { OutboxRow, PackListItem, PackWithCustomer, ProviderTaskRow, TimelineEvent } from '../data';
import type { PackApiView } from '../packs';
import { ActionButton, Csrf, Flash, Kpis, LoginForm, when, type FlashMessage } from '../views/components';
import { BOOKING_STATUS_LABELS, EVENT_LABELS, PACK_STATUS_LABELS, TASK_LABELS, eventActor, label } from '../views/labels';
import { Layout } from '../views/layout';

/** The pack's French label (« Pack 1/2 journée… »), never its code. */
export const packLabel = (code: string) => (isPackCode(code) ? DEFAULT_CATALOG[code].label : 'Pack');

export interface AdminProps {
  csrf: string;
  zone: string;
  temporalUiUrl: string;
}

function Nav({ csrf, temporalUiUrl }: Omit<AdminProps, 'zone'>) {
  return (
    <nav>
      <a href="/admin">Packs</a>
      <a href="/admin/disponibilites">Disponibilités</a>
      <a href="/admin/emails">E-mails</a>
      <a href={temporalUiUrl}>Temporal</a>
      <form class="inline" method="post" action="/admin/deconnexion">
        <Csrf token={csrf} />
        <button class="secondary">Se déconnecter</button>
      </form>
    </nav>
  );
}

function AdminLayout(p: Omit<AdminProps, 'zone'> & { title: string; children: ComponentChildren }) {
  return (
    <Layout title={p.title} area="admin" nav={<Nav csrf={p.csrf} temporalUiUrl={p.temporalUiUrl} />}>
      {p.children}
    </Layout>
  );
}

export function LoginPage({ configured, error }: { configured: boolean; error?: string }) {
  return (
    <Layout title="Connexion" area="admin">
      <h1>Espace prestataire</h1>
      {!configured && (
        <p class="flash warning">Aucun mot de passe n'est configuré (PROVIDER_PASSWORD_HASH) : la connexion est impossible.</p>
      )}
      {error && (
        <p class="flash error" role="alert">
          {error}
        </p>
      )}
      <LoginForm />
    </Layout>
  );
}

export const FILTERS: Array<{ key: string; label: string }> = [
  { key: '', label: 'Tous' },
  { key: 'attente', label: 'En attente de paiement' },
  { key: 'ACTIVE', label: 'Actifs' },
  { key: 'bientot', label: 'Expirent sous 14 jours' },
  { key: 'EXPIRED', label: 'Expirés' },
];

export function PackListPage(p: AdminProps & { packs: PackListItem[]; tasks: ProviderTaskRow[]; flash: FlashMessage }) {
  return (
    <AdminLayout title="Packs" csrf={p.csrf} temporalUiUrl={p.temporalUiUrl}>
      <h1>Packs</h1>
      <Flash flash={p.flash} />
      <p>
        {FILTERS.map((f, i) => (
          <Fragment key={f.key}>
            {i > 0 && ' · '}
            <a href={f.key ? `/admin?filtre=${f.key}` : '/admin'}>{f.label}</a>
          </Fragment>
        ))}
      </p>
      {p.tasks.length > 0 && (
        <>
          <h2>À faire</h2>
          <ul>
            {p.tasks.map((t) => (
              <li key={t.key}>
                {label(TASK_LABELS, t.kind, 'Tâche')} — {t.amountCents ? euros(t.amountCents) : ''}{' '}
                {t.packId && <a href={`/admin/packs/${t.packId}`}>voir le pack</a>}
              </li>
            ))}
          </ul>
        </>
      )}
      <table>
        <thead>
          <tr>
            <th>Client</th>
            <th>Pack</th>
            <th>Statut</th>
            <th>Heures</th>
            <th>Commande</th>
            <th>Expire</th>
          </tr>
        </thead>
        <tbody>
          {p.packs.map((x) => (
            <tr key={x.packId}>
              <td>
                <a href={`/admin/packs/${x.packId}`}>{x.customer.name}</a>
                <br />
                <span class="muted">{x.customer.email}</span>
              </td>
              <td>{packLabel(x.packCode)}</td>
              <td>{label(PACK_STATUS_LABELS, x.status)}</td>
              <td>
                {x.hours.available}/{x.hours.total}
                {x.hours.forfeited ? ` (${x.hours.forfeited} facturée(s))` : ''}
              </td>
              <td>{when(x.orderedAt, p.zone)}</td>
              <td>{when(x.expiresAt, p.zone)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </AdminLayout>
  );
}

function SessionActions({ packId, b, csrf }: { packId: string; b: PackApiView['bookings'][number]; csrf: string }) {
  const act = (action: string, text: string) => (
    <ActionButton action={`/admin/packs/${packId}/seances/${b.id}/${action}`} csrf={csrf} label={text} />
  );
  const started = (b.status === 'CONFIRMED' && Date.parse(b.start) <= Date.now()) || b.status === 'HELD';
  return (
    <>
      {b.status === 'REQUESTED' && (
        <>
          {act('confirm', 'Confirmer')} {act('decline', 'Refuser')}
        </>
      )}
      {b.cancellable && act('cancel', 'Annuler (sans frais pour le client)')}
      {started && act('no-show', 'Signaler une absence')}
      {(b.status === 'LATE_CANCELLED' || b.status === 'NO_SHOW') && !b.penaltyWaived && act('waive', 'Lever la pénalité')}
    </>
  );
}

export function PackDetailPage(
  p: AdminProps & { state: PackApiView; row: PackWithCustomer; events: TimelineEvent[]; flash: FlashMessage; workflowUrl: string },
) {
  const { state: s, row, zone, csrf } = p;
  const packId = row.id;
  return (
    <AdminLayout title={row.customer.name} csrf={csrf} temporalUiUrl={p.temporalUiUrl}>
      <h1>
        {row.customer.name} — {s.label}
      </h1>
      <Flash flash={p.flash} />
      <p>
        {row.customer.email}
        {row.customer.phone ? ` · ${row.customer.phone}` : ''} · référence {row.bankReference} ·{' '}
        <a href={p.workflowUrl}>voir dans Temporal</a>
      </p>
      {row.project && <p class="muted">Projet : {row.project}</p>}
      <Kpis
        items={[
          { label: 'Statut', value: PACK_STATUS_LABELS[s.status], testId: 'admin-status' },
          { label: 'Disponibles', value: s.hours.available },
          { label: 'Utilisées', value: s.hours.used },
          { label: 'Facturées', value: s.hours.forfeited, testId: 'admin-forfeited' },
          { label: 'Réservées', value: s.hours.reserved },
        ]}
      />
      <p>
        Payé : {euros(s.paidCents)} / {euros(s.priceCents)} · Expire : {when(s.expiresAt, zone)}
      </p>
      {s.status === 'AWAITING_PAYMENT' && (
        <>
          <h2>Confirmer un virement reçu</h2>
          <form class="stack" method="post" action={`/admin/packs/${packId}/paiement`}>
            <Csrf token={csrf} />
            <label for="amount">Montant reçu (€)</label>
            <input
              id="amount"
              name="amount"
              type="number"
              step="0.01"
              min="0.01"
              value={String((s.priceCents - s.paidCents) / 100)}
              required
            />
            <label for="reference">Référence du virement</label>
            <input id="reference" name="reference" type="text" value={row.bankReference} required />
            <p>
              <button>Enregistrer le virement</button>
            </p>
          </form>
        </>
      )}
      <h2>Séances</h2>
      <table>
        <thead>
          <tr>
            <th>Date</th>
            <th>Statut</th>
            <th>Actions</th>
          </tr>
        </thead>
        <tbody>
          {s.bookings.map((b) => (
            <tr key={b.id}>
              <td>
                {when(b.start, zone)} ({b.hours} h)
              </td>
              <td>
                {BOOKING_STATUS_LABELS[b.status]}
                {b.penaltyWaived ? ' — pénalité levée' : ''}
              </td>
              <td>
                <SessionActions packId={packId} b={b} csrf={csrf} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <h2>Données personnelles</h2>
      <p>
        <a class="button secondary" href={`/admin/clients/${row.customerId}/export`}>
          Exporter les données du client (JSON)
        </a>
      </p>
      {row.customer.erasedAt ? (
        <p class="muted">Client effacé le {when(row.customer.erasedAt, zone)}.</p>
      ) : (
        <form method="post" action={`/admin/clients/${row.customerId}/effacer`}>
          <Csrf token={csrf} />
          <label class="check" for="confirm-erase">
            <input type="checkbox" id="confirm-erase" name="confirm" value="yes" required /> Effacer définitivement les données personnelles
            de ce client (ses packs en cours sont arrêtés ; montants, dates et références sont conservés)
          </label>
          <button class="danger">Effacer le client</button>
        </form>
      )}
      <h2>Historique</h2>
      <table data-testid="timeline">
        <thead>
          <tr>
            <th>Date</th>
            <th>Événement</th>
            <th>Par</th>
          </tr>
        </thead>
        <tbody>
          {p.events.map((e, i) => (
            <tr key={i} data-event={e.type}>
              <td>{when(e.at, zone)}</td>
              <td>{label(EVENT_LABELS, e.type, 'Événement')}</td>
              <td>{eventActor(e.type, e.data)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </AdminLayout>
  );
}

export function AvailabilityPage(p: AdminProps & { availability: Availability; flash: FlashMessage; error?: string }) {
  const a = p.availability;
  return (
    <AdminLayout title="Disponibilités" csrf={p.csrf} temporalUiUrl={p.temporalUiUrl}>
      <h1>Disponibilités</h1>
      <Flash flash={p.flash} />
      {p.error && (
        <p class="flash error" role="alert">
          {p.error}
        </p>
      )}
      <form class="stack" method="post" action="/admin/disponibilites">
        <Csrf token={p.csrf} />
        <label for="weekly">Horaires de la semaine (une ligne par plage : jour 1 = lundi … 7 = dimanche, puis début et fin)</label>
        <textarea id="weekly" name="weekly" rows={7}>
          {a.weekly.map((w) => `${w.day} ${w.from} ${w.to}`).join('\n')}
        </textarea>
        <label for="exceptions">Exceptions (une ligne : date AAAA-MM-JJ puis « fermé » ou début et fin)</label>
        <textarea id="exceptions" name="exceptions" rows={5}>
          {a.exceptions.map((e) => (e.closed ? `${e.date} fermé` : `${e.date} ${e.from} ${e.to}`)).join('\n')}
        </textarea>
        <label for="minNoticeHours">Délai minimum de réservation (heures)</label>
        <input id="minNoticeHours" name="minNoticeHours" type="number" min="0" value={String(a.minNoticeHours)} />
        <label for="bufferMinutes">Battement entre deux séances (minutes)</label>
        <input id="bufferMinutes" name="bufferMinutes" type="number" min="0" value={String(a.bufferMinutes)} />
        <label class="check" for="autoConfirm">
          <input type="checkbox" id="autoConfirm" name="autoConfirm" value="yes" checked={a.autoConfirm} /> Confirmer automatiquement les
          demandes
        </label>
        <p>
          <button>Enregistrer</button>
        </p>
      </form>
    </AdminLayout>
  );
}

export function OutboxPage(p: AdminProps & { emails: OutboxRow[] }) {
  return (
    <AdminLayout title="E-mails" csrf={p.csrf} temporalUiUrl={p.temporalUiUrl}>
      <h1>E-mails envoyés et en attente</h1>
      <table>
        <thead>
          <tr>
            <th>Créé</th>
            <th>À</th>
            <th>Objet</th>
            <th>État</th>
          </tr>
        </thead>
        <tbody>
          {p.emails.map((e) => (
            <tr key={e.id}>
              <td>{when(e.createdAt, p.zone)}</td>
              <td>{e.to}</td>
              <td>{e.subject}</td>
              <td>
                {e.status === 'SENT'
                  ? `envoyé ${when(e.sentAt, p.zone)}`
                  : `en attente (${e.attempts} essai(s)${e.lastError ? ` : ${e.lastError.slice(0, 80)}` : ''})`}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </AdminLayout>
  );
}

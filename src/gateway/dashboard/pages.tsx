import { Fragment, type ComponentChildren } from 'preact';
import { DateTime } from 'luxon';
import { DEFAULT_CATALOG, isPackCode } from '../../shared/catalog';
import { euros, frenchDate } from '../../shared/format';
import type { DocumentMonth, DocumentRow, OutboxRow, PackListItem, PackWithCustomer, PendingAction, TimelineEvent } from '../data';
import { adminDocumentUrl } from '../invoices';
import type { PackApiView } from '../packs';
import { BLANK_EXCEPTIONS, WEEKDAYS, type AvailabilityForm } from './availability-form';
import type { SlotPeriod } from '../slot-period';
import { ActionButton, Csrf, Flash, Kpis, LoginForm, SlotPicker, when, type FlashMessage } from '../views/components';
import {
  BOOKING_STATUS_LABELS,
  DOCUMENT_KIND_LABELS,
  EVENT_LABELS,
  PACK_STATUS_LABELS,
  PAYMENT_METHOD_LABELS,
  REFUND_REASON_LABELS,
  TASK_LABELS,
  WITHDRAWAL_REFUSAL_LABELS,
  eventActor,
  label,
} from '../views/labels';
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
      <a href="/admin">Agenda</a>
      <a href="/admin/packs">Packs</a>
      <a href="/admin/disponibilites">Disponibilités</a>
      <a href="/admin/calendrier">Calendriers</a>
      <a href="/admin/factures">Factures</a>
      <a href="/admin/emails">E-mails</a>
      <a href={temporalUiUrl}>Temporal</a>
      <form class="inline" method="post" action="/admin/deconnexion">
        <Csrf token={csrf} />
        <button class="secondary">Se déconnecter</button>
      </form>
    </nav>
  );
}

export function AdminLayout(p: Omit<AdminProps, 'zone'> & { title: string; children: ComponentChildren }) {
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

/** A due date is an exclusive end (midnight after the day): « au plus tard le <that day> ». */
const lastDay = (dueAt: string | Date, zone: string) => frenchDate(new Date(dueAt).getTime() - 1, zone);

/** Today and the order's day, as a date field wants them (AAAA-MM-JJ, in the business's time zone). */
const isoDay = (at: string | number, zone: string) =>
  (typeof at === 'number' ? DateTime.fromMillis(at) : DateTime.fromISO(at)).setZone(zone).toISODate() ?? '';

/** One task of « À faire »: a refund owed by transfer says by when, and is marked paid from here. */
export function PendingActionItem({ t, zone, csrf }: { t: PendingAction; zone: string; csrf: string }) {
  const reason = typeof t.details.reason === 'string' ? label(REFUND_REASON_LABELS, t.details.reason, '') : '';
  const overdue = t.dueAt !== null && t.dueAt.getTime() <= Date.now();
  return (
    <li data-task={t.kind}>
      {label(TASK_LABELS, t.kind, 'Tâche')} — {t.amountCents ? euros(t.amountCents) : ''}
      {reason && ` (${reason})`}
      {t.refundKey && t.dueAt && (
        <>
          {' '}
          ·{' '}
          <strong data-testid="due">
            {overdue ? 'en retard : ' : ''}à faire au plus tard le {lastDay(t.dueAt, zone)}
          </strong>
        </>
      )}{' '}
      {t.packId && <a href={`/admin/packs/${t.packId}`}>voir le pack</a>}{' '}
      {t.refundKey && (
        <ActionButton
          action={`/admin/remboursements/${encodeURIComponent(t.refundKey)}/effectue`}
          csrf={csrf}
          label="Marquer comme remboursé"
          fields={{ retour: 'liste' }}
        />
      )}
    </li>
  );
}

export function PackListPage(p: AdminProps & { packs: PackListItem[]; tasks: PendingAction[]; flash: FlashMessage }) {
  return (
    <AdminLayout title="Packs" csrf={p.csrf} temporalUiUrl={p.temporalUiUrl}>
      <h1>Packs</h1>
      <Flash flash={p.flash} />
      <p>
        {FILTERS.map((f, i) => (
          <Fragment key={f.key}>
            {i > 0 && ' · '}
            <a href={f.key ? `/admin/packs?filtre=${f.key}` : '/admin/packs'}>{f.label}</a>
          </Fragment>
        ))}
      </p>
      {p.tasks.length > 0 && (
        <>
          <h2>À faire</h2>
          <ul data-testid="pending-actions">
            {p.tasks.map((t) => (
              <PendingActionItem key={t.key} t={t} zone={p.zone} csrf={p.csrf} />
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
            <th>Montant</th>
            <th>Paiement</th>
            <th>Heures disponibles</th>
            <th>Commande</th>
            <th>Expire</th>
          </tr>
        </thead>
        <tbody>
          {p.packs.map((x) => (
            <tr key={x.packId}>
              <td data-label="Client">
                <a href={`/admin/packs/${x.packId}`}>{x.customer.name}</a>
                <br />
                <span class="muted">{x.customer.email}</span>
              </td>
              <td data-label="Pack">{packLabel(x.packCode)}</td>
              <td data-label="Statut">{label(PACK_STATUS_LABELS, x.status)}</td>
              <td data-label="Montant">{euros(x.priceCents)}</td>
              <td data-label="Paiement">
                {label(PAYMENT_METHOD_LABELS, x.paymentMethod)}
                {x.paymentMethod === 'bank_transfer' && (
                  <>
                    <br />
                    <span class="muted">réf. {x.bankReference}</span>
                  </>
                )}
              </td>
              <td data-label="Heures disponibles">
                {x.hours.available} sur {x.hours.total}
                {x.hours.forfeited ? ` (${x.hours.forfeited} facturée(s))` : ''}
              </td>
              <td data-label="Commande">{when(x.orderedAt, p.zone)}</td>
              <td data-label="Expire">{when(x.expiresAt, p.zone)}</td>
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
    <div class="actions">
      {b.status === 'REQUESTED' && act('confirm', 'Confirmer')}
      {b.status === 'REQUESTED' && act('decline', 'Refuser')}
      {b.cancellable && (
        <a class="button secondary" href={`/admin/packs/${packId}/seances/${b.id}/deplacer`}>
          Déplacer
        </a>
      )}
      {b.cancellable && act('cancel', 'Annuler (sans frais pour le client)')}
      {started && act('no-show', 'Signaler une absence')}
      {(b.status === 'LATE_CANCELLED' || b.status === 'NO_SHOW') && !b.penaltyWaived && act('waive', 'Lever la pénalité')}
    </div>
  );
}

/**
 * Money given back of the provider's own accord on a paid pack: a commercial gesture on the price (its credit note is
 * sent to the client) or a surplus received beyond it; each refunded like the pack was paid (card, or a transfer to
 * make within 14 days).
 */
function ProviderRefundForm({ s, packId, csrf }: { s: PackApiView; packId: string; csrf: string }) {
  const r = s.refundable;
  if (!r || (r.goodwillCents === 0 && r.surplusCents === 0)) return null;
  return (
    <>
      <h2>Rembourser le client</h2>
      {(s.providerRefunds ?? []).length > 0 && (
        <ul data-testid="provider-refunds">
          {(s.providerRefunds ?? []).map((x) => (
            <li key={x.n}>
              {euros(x.amountCents)} — {REFUND_REASON_LABELS[x.reason]}
              {x.note ? ` (« ${x.note} »)` : ''}
            </li>
          ))}
        </ul>
      )}
      <form class="stack" method="post" action={`/admin/packs/${packId}/remboursement`}>
        <Csrf token={csrf} />
        <label for="refund-reason">Motif</label>
        <select id="refund-reason" name="reason" required>
          {r.surplusCents > 0 && <option value="surplus">Trop-perçu : {euros(r.surplusCents)} reçus au-delà du prix (sans avoir)</option>}
          {r.goodwillCents > 0 && <option value="goodwill">Geste commercial, au plus {euros(r.goodwillCents)} (un avoir est émis)</option>}
        </select>
        <label for="refund-amount">Montant à rembourser (€)</label>
        <input
          id="refund-amount"
          name="amount"
          type="number"
          step="0.01"
          min="0.01"
          max={String(Math.max(r.goodwillCents, r.surplusCents) / 100)}
          value={r.surplusCents > 0 ? String(r.surplusCents / 100) : ''}
          required
        />
        <label for="refund-note">Message au client (facultatif)</label>
        <input id="refund-note" name="note" type="text" maxlength={300} />
        <p class="muted">Les heures du pack ne changent pas. Une rétractation ultérieure ne rembourserait pas deux fois ce montant.</p>
        <p>
          <button type="submit">Rembourser</button>
        </p>
      </form>
    </>
  );
}

/** A transfer is entered while the order waits for it, and after a cancellation for non-payment while the workflow is open. */
function takesTransfer(s: PackApiView): boolean {
  if (s.status === 'AWAITING_PAYMENT') return true;
  return s.status === 'CANCELLED_UNPAID' && s.closedAt !== null && Date.parse(s.closedAt) > Date.now();
}

function TransferForm({ s, row, zone, csrf }: { s: PackApiView; row: PackWithCustomer; zone: string; csrf: string }) {
  const today = isoDay(Date.now(), zone);
  const due = s.status === 'CANCELLED_UNPAID' ? s.priceCents : s.priceCents - s.paidCents;
  return (
    <>
      <h2>Confirmer un virement reçu</h2>
      {s.status === 'CANCELLED_UNPAID' && (
        <p class="flash warning">
          Commande annulée faute de paiement à l'échéance du {when(s.paymentDeadline, zone)}. Un virement du montant total arrivé sur le
          compte avant cette échéance la rétablit (validité comptée depuis sa date) ; arrivé après, il est à rembourser.
        </p>
      )}
      <form class="stack" method="post" action={`/admin/packs/${row.id}/paiement`}>
        <Csrf token={csrf} />
        <label for="amount">Montant reçu (€)</label>
        <input id="amount" name="amount" type="number" step="0.01" min="0.01" value={String(due / 100)} required />
        <label for="reference">Référence du virement</label>
        <input id="reference" name="reference" type="text" value={row.bankReference} required />
        <label for="transfer-received-on">Date de réception sur le compte (celle du relevé bancaire)</label>
        <input id="transfer-received-on" name="receivedOn" type="date" value={today} min={isoDay(s.orderedAt, zone)} max={today} required />
        <p class="muted">L'échéance de paiement et la validité du pack sont comptées depuis cette date.</p>
        <p>
          <button>Enregistrer le virement</button>
        </p>
      </form>
    </>
  );
}

function WithdrawalForm({ s, packId, zone, csrf }: { s: PackApiView; packId: string; zone: string; csrf: string }) {
  const today = isoDay(Date.now(), zone);
  const until = frenchDate(Date.parse(s.withdrawal.until) - 1, zone);
  return (
    <>
      <h2>Enregistrer une rétractation reçue par e-mail ou courrier</h2>
      <p>
        Délai de rétractation : jusqu'au {until} inclus
        {!s.withdrawal.allowed && ` (à ce jour : ${label(WITHDRAWAL_REFUSAL_LABELS, s.withdrawal.reason, 'impossible')})`}. Le délai et la
        règle « séance commencée » s'apprécient à la date de réception de la demande du client, non au jour où vous l'enregistrez.
      </p>
      <form class="stack" method="post" action={`/admin/packs/${packId}/retractation`}>
        <Csrf token={csrf} />
        <label for="withdrawal-received-on">Date de réception de la demande</label>
        <input
          id="withdrawal-received-on"
          name="receivedOn"
          type="date"
          value={today}
          min={isoDay(s.orderedAt, zone)}
          max={today}
          required
        />
        <label for="withdrawal-received-time">Heure de réception (facultative : un e-mail est daté à la minute)</label>
        <input id="withdrawal-received-time" name="receivedTime" type="time" />
        <p>
          <button class="danger">Enregistrer la rétractation</button>
        </p>
      </form>
    </>
  );
}

/** The pack's refund by withdrawal, and the refunds it owes by transfer with their due dates. */
function RefundsDue({ s, zone, csrf }: { s: PackApiView; zone: string; csrf: string }) {
  if (!s.refund && s.refundsDue.length === 0) return null;
  return (
    <>
      <h2>Remboursements</h2>
      {s.refund && (
        <p>
          Rétractation : {euros(s.refund.amountCents)} à rembourser ({label(PAYMENT_METHOD_LABELS, s.refund.method)}
          {s.refund.consumedHours ? `, ${s.refund.consumedHours} heure(s) consommée(s) non remboursée(s)` : ''}
          {s.refund.dueAt ? `, au plus tard le ${lastDay(s.refund.dueAt, zone)}` : ''}).
        </p>
      )}
      {s.refundsDue.length > 0 && (
        <ul data-testid="refunds-due">
          {s.refundsDue.map((r) => (
            <li key={r.key}>
              Virement de {euros(r.amountCents)} ({label(REFUND_REASON_LABELS, r.reason, 'remboursement')}) —{' '}
              {r.paidAt ? (
                `effectué (marqué le ${when(r.paidAt, zone)})`
              ) : (
                <>
                  à faire au plus tard le {lastDay(r.dueAt, zone)}{' '}
                  <ActionButton
                    action={`/admin/remboursements/${encodeURIComponent(r.key)}/effectue`}
                    csrf={csrf}
                    label="Marquer comme remboursé"
                    fields={{ retour: 'pack' }}
                  />
                </>
              )}
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

export function PackDetailPage(
  p: AdminProps & {
    state: PackApiView;
    row: PackWithCustomer;
    events: TimelineEvent[];
    flash: FlashMessage;
    workflowUrl: string;
    documents?: DocumentRow[];
  },
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
      <RefundsDue s={s} zone={zone} csrf={csrf} />
      {takesTransfer(s) && <TransferForm s={s} row={row} zone={zone} csrf={csrf} />}
      {(s.status === 'AWAITING_PAYMENT' || s.status === 'ACTIVE') && <WithdrawalForm s={s} packId={packId} zone={zone} csrf={csrf} />}
      <ProviderRefundForm s={s} packId={packId} csrf={csrf} />
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
              <td data-label="Date">
                {when(b.start, zone)} ({b.hours} h)
              </td>
              <td data-label="Statut">
                {BOOKING_STATUS_LABELS[b.status]}
                {b.penaltyWaived ? ' — pénalité levée' : ''}
              </td>
              <td data-label="Actions">
                <SessionActions packId={packId} b={b} csrf={csrf} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {p.documents && p.documents.length > 0 && (
        <>
          <h2>Factures et avoirs</h2>
          <ul data-testid="pack-documents">
            {p.documents.map((d) => (
              <li key={d.number}>
                <a href={adminDocumentUrl(packId, d.number)}>
                  {DOCUMENT_KIND_LABELS[d.kind]} n° {d.number}
                </a>{' '}
                du {frenchDate(d.issuedAt, zone)} — {euros(d.inclVatCents)} TTC
              </li>
            ))}
          </ul>
        </>
      )}
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
              <td data-label="Date">{when(e.at, zone)}</td>
              <td data-label="Événement">{label(EVENT_LABELS, e.type, 'Événement')}</td>
              <td data-label="Par">{eventActor(e.type, e.data)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </AdminLayout>
  );
}

export function AvailabilityPage(p: AdminProps & { form: AvailabilityForm; flash: FlashMessage; errors?: string[] }) {
  const f = p.form;
  const time = (name: string, label: string) => <input type="time" id={name} name={name} value={f[name] ?? ''} aria-label={label} />;
  const rows = Number(f.exceptionRows ?? BLANK_EXCEPTIONS);
  return (
    <AdminLayout title="Disponibilités" csrf={p.csrf} temporalUiUrl={p.temporalUiUrl}>
      <h1>Disponibilités</h1>
      <Flash flash={p.flash} />
      {p.errors && p.errors.length > 0 && (
        <div class="flash error" role="alert">
          <p>Disponibilités invalides : rien n'a été enregistré.</p>
          <ul>
            {p.errors.map((e) => (
              <li key={e}>{e}</li>
            ))}
          </ul>
        </div>
      )}
      <form class="stack" method="post" action="/admin/disponibilites">
        <Csrf token={p.csrf} />
        <input type="hidden" name="exceptionRows" value={String(rows)} />
        <fieldset>
          <legend>Horaires de la semaine (heure de Paris) — jusqu'à deux plages par jour</legend>
          <table>
            <thead>
              <tr>
                <th>Jour</th>
                <th>Première plage</th>
                <th>Seconde plage</th>
              </tr>
            </thead>
            <tbody>
              {WEEKDAYS.map((name, i) => (
                <tr key={name} data-day={i + 1}>
                  <th scope="row">{name}</th>
                  {[1, 2].map((n) => (
                    <td key={n} data-label={n === 1 ? 'Première plage' : 'Seconde plage'}>
                      {time(`d${i + 1}_from${n}`, `${name}, début de la plage ${n}`)} à{' '}
                      {time(`d${i + 1}_to${n}`, `${name}, fin de la plage ${n}`)}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </fieldset>
        <fieldset>
          <legend>Exceptions (congés, jours aux horaires différents)</legend>
          <table>
            <thead>
              <tr>
                <th>Date</th>
                <th>Fermé</th>
                <th>Ou ouvert de … à …</th>
                <th>Supprimer</th>
              </tr>
            </thead>
            <tbody>
              {Array.from({ length: rows }, (_, i) => (
                <tr key={i}>
                  <td data-label="Date">
                    <input
                      type="date"
                      id={`ex${i}_date`}
                      name={`ex${i}_date`}
                      value={f[`ex${i}_date`] ?? ''}
                      aria-label={`Exception ${i + 1} : date`}
                    />
                  </td>
                  <td data-label="Fermé">
                    <input
                      type="checkbox"
                      name={`ex${i}_closed`}
                      value="yes"
                      checked={f[`ex${i}_closed`] === 'yes'}
                      aria-label={`Exception ${i + 1} : fermé toute la journée`}
                    />
                  </td>
                  <td data-label="Ouvert de … à …">
                    {time(`ex${i}_from`, `Exception ${i + 1} : ouverture`)} à {time(`ex${i}_to`, `Exception ${i + 1} : fermeture`)}
                  </td>
                  <td data-label="Supprimer">
                    {f[`ex${i}_date`] && (
                      <input
                        type="checkbox"
                        name={`ex${i}_remove`}
                        value="yes"
                        aria-label={`Supprimer l'exception du ${f[`ex${i}_date`]}`}
                      />
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </fieldset>
        <label for="minNoticeHours">Délai minimum de réservation (heures)</label>
        <input id="minNoticeHours" name="minNoticeHours" type="number" min="0" value={f.minNoticeHours ?? ''} />
        <label for="bufferMinutes">Battement entre deux séances (minutes)</label>
        <input id="bufferMinutes" name="bufferMinutes" type="number" min="0" value={f.bufferMinutes ?? ''} />
        <label class="check" for="autoConfirm">
          <input type="checkbox" id="autoConfirm" name="autoConfirm" value="yes" checked={f.autoConfirm === 'yes'} /> Confirmer
          automatiquement les demandes
        </label>
        <p>
          <button>Enregistrer</button>
        </p>
      </form>
    </AdminLayout>
  );
}

/** « Mars 2027 » for « 2027-03 ». */
const monthLabel = (month: string) => {
  const label = DateTime.fromISO(`${month}-01`).setLocale('fr').toFormat('LLLL yyyy');
  return label.charAt(0).toUpperCase() + label.slice(1);
};

/**
 * The documents by month (issue 14, point 5): every month with its totals (credit notes deducted), then the chosen
 * month's invoices and credit notes, each with its PDF, and the month's sales journal for the accountant (CSV).
 */
export function InvoicesPage(p: AdminProps & { months: DocumentMonth[]; month: string; documents: DocumentRow[] }) {
  const sign = (d: DocumentRow) => (d.kind === 'credit_note' ? -1 : 1);
  const total = (pick: (d: DocumentRow) => number) => p.documents.reduce((sum, d) => sum + sign(d) * pick(d), 0);
  return (
    <AdminLayout title="Factures" csrf={p.csrf} temporalUiUrl={p.temporalUiUrl}>
      <h1>Factures et avoirs</h1>
      {p.months.length === 0 ? (
        <p class="muted">Aucune facture pour le moment : elles sont émises au paiement de chaque pack.</p>
      ) : (
        <table data-testid="months">
          <thead>
            <tr>
              <th>Mois</th>
              <th>Factures</th>
              <th>Avoirs</th>
              <th>Total HT</th>
              <th>TVA</th>
              <th>Total TTC</th>
              <th>Journal des ventes</th>
            </tr>
          </thead>
          <tbody>
            {p.months.map((m) => (
              <tr key={m.month} data-month={m.month}>
                <td data-label="Mois">
                  <a href={`/admin/factures?mois=${m.month}`}>{monthLabel(m.month)}</a>
                </td>
                <td data-label="Factures">{m.invoices}</td>
                <td data-label="Avoirs">{m.creditNotes}</td>
                <td data-label="Total HT">{euros(m.exclVatCents)}</td>
                <td data-label="TVA">{euros(m.vatCents)}</td>
                <td data-label="Total TTC">{euros(m.inclVatCents)}</td>
                <td data-label="Journal des ventes">
                  <a href={`/api/admin/invoices.csv?month=${m.month}`}>CSV</a>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h2>{monthLabel(p.month)}</h2>
      {p.documents.length === 0 ? (
        <p class="muted">Aucun document ce mois-ci.</p>
      ) : (
        <table data-testid="documents">
          <thead>
            <tr>
              <th>N°</th>
              <th>Type</th>
              <th>Date</th>
              <th>Client</th>
              <th>HT</th>
              <th>TVA</th>
              <th>TTC</th>
              <th>Paiement</th>
              <th>PDF</th>
            </tr>
          </thead>
          <tbody>
            {p.documents.map((d) => (
              <tr key={d.number} data-number={d.number}>
                <td data-label="N°">
                  <a href={`/admin/packs/${d.packId}`}>{d.number}</a>
                </td>
                <td data-label="Type">
                  {DOCUMENT_KIND_LABELS[d.kind]}
                  {d.corrects ? ` (sur ${d.corrects})` : ''}
                </td>
                <td data-label="Date">{frenchDate(d.issuedAt, p.zone)}</td>
                <td data-label="Client">{d.buyerName}</td>
                <td data-label="HT">{euros(sign(d) * d.exclVatCents)}</td>
                <td data-label="TVA">{euros(sign(d) * d.vatCents)}</td>
                <td data-label="TTC">{euros(sign(d) * d.inclVatCents)}</td>
                <td data-label="Paiement">
                  {PAYMENT_METHOD_LABELS[d.paymentMethod]}
                  {d.paymentReference ? ` — ${d.paymentReference}` : ''}
                </td>
                <td data-label="PDF">
                  <a href={adminDocumentUrl(d.packId, d.number)}>Télécharger</a>
                </td>
              </tr>
            ))}
          </tbody>
          <tfoot>
            <tr data-testid="month-total">
              <th colSpan={4}>Total du mois</th>
              <td data-label="HT">{euros(total((d) => d.exclVatCents))}</td>
              <td data-label="TVA">{euros(total((d) => d.vatCents))}</td>
              <td data-label="TTC">{euros(total((d) => d.inclVatCents))}</td>
              <td colSpan={2}>
                <a href={`/api/admin/invoices.csv?month=${p.month}`}>Journal des ventes (CSV)</a>
              </td>
            </tr>
          </tfoot>
        </table>
      )}
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
              <td data-label="Créé">{when(e.createdAt, p.zone)}</td>
              <td data-label="À">{e.to}</td>
              <td data-label="Objet">{e.subject}</td>
              <td data-label="État">
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

export function ProviderMovePage(
  p: AdminProps & { row: PackWithCustomer; booking: PackApiView['bookings'][number]; slots: Array<{ start: string }>; period: SlotPeriod },
) {
  const action = `/admin/packs/${p.row.id}/seances/${p.booking.id}/deplacer`;
  return (
    <AdminLayout title="Déplacer une séance" csrf={p.csrf} temporalUiUrl={p.temporalUiUrl}>
      <h1>
        Déplacer la séance de {p.row.customer.name} du {when(p.booking.start, p.zone)}
      </h1>
      <p class="flash ok">
        Un déplacement par vous ne coûte rien au client ; la nouvelle séance est confirmée et le client prévenu par e-mail.
      </p>
      <h2>Choisir le nouveau créneau</h2>
      <SlotPicker slots={p.slots} zone={p.zone} action={action} csrf={p.csrf} period={p.period} baseHref={action} />
      <p>
        <a href={`/admin/packs/${p.row.id}`}>Revenir au pack</a>
      </p>
    </AdminLayout>
  );
}

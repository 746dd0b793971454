import { euros } from '../../shared/format';
import { withdrawalRefundCents } from '../../shared/policy';
import type { PackApiView } from '../packs';
import type { SlotPeriod } from '../slot-period';
import { Csrf, Flash, Kpis, SlotPicker, whenParis, type FlashMessage } from '../views/components';
import { BOOKING_STATUS_LABELS, DOCUMENT_KIND_LABELS, PACK_STATUS_LABELS } from '../views/labels';
import { Layout } from '../views/layout';

type Booking = PackApiView['bookings'][number];
interface PortalProps {
  pack: PackApiView;
  csrf: string;
  zone: string;
}

function Sessions({ pack, zone }: Omit<PortalProps, 'csrf'>) {
  if (pack.bookings.length === 0) return <p class="muted">Aucune séance pour le moment.</p>;
  return (
    <table>
      <thead>
        <tr>
          <th>Date</th>
          <th>Durée</th>
          <th>Statut</th>
          <th>Actions</th>
        </tr>
      </thead>
      <tbody>
        {pack.bookings.map((b) => (
          <tr data-booking={b.id} key={b.id}>
            <td data-label="Date">{whenParis(b.start, zone)}</td>
            <td data-label="Durée">{b.hours} h</td>
            <td data-label="Statut">
              {BOOKING_STATUS_LABELS[b.status]}
              {b.penaltyWaived ? ' — pénalité levée' : ''}
            </td>
            <td data-label="Actions" class="actions">
              {b.cancellable && (
                <>
                  <a class="button secondary" href={`/espace/seances/${b.id}/deplacer`}>
                    Déplacer
                  </a>
                  <a class="button secondary" href={`/espace/seances/${b.id}/annuler`}>
                    Annuler
                  </a>
                </>
              )}
              {b.status === 'CONFIRMED' && (
                <a class="button secondary" href={`/espace/seances/${b.id}/invitation.ics`}>
                  Ajouter à mon agenda (.ics)
                </a>
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** An issued invoice or credit note of the pack, as the portal lists it. */
export interface PortalDocument {
  number: string;
  kind: 'invoice' | 'credit_note';
  issuedAt: string | Date;
  totalCents: number;
}

/** The pack's invoices and credit notes, each downloadable as issued (PDF). */
function Documents({ documents, zone }: { documents: readonly PortalDocument[]; zone: string }) {
  if (documents.length === 0) return <p class="muted">Votre facture sera disponible ici dès réception de votre paiement.</p>;
  return (
    <table data-testid="documents">
      <thead>
        <tr>
          <th>Document</th>
          <th>Date</th>
          <th>Montant TTC</th>
          <th>PDF</th>
        </tr>
      </thead>
      <tbody>
        {documents.map((d) => (
          <tr key={d.number}>
            <td data-label="Document">
              {DOCUMENT_KIND_LABELS[d.kind]} n° {d.number}
            </td>
            <td data-label="Date">{whenParis(d.issuedAt, zone)}</td>
            <td data-label="Montant TTC">{euros(d.totalCents)}</td>
            <td data-label="PDF">
              <a class="button secondary" href={`/espace/factures/${d.number}.pdf`} data-testid={`download-${d.number}`}>
                Télécharger
              </a>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function PortalPage({
  pack: s,
  csrf,
  zone,
  slots,
  period,
  flash,
  documents = [],
}: PortalProps & { slots: Array<{ start: string }>; period: SlotPeriod; flash: FlashMessage; documents?: readonly PortalDocument[] }) {
  const h = s.hours;
  return (
    <Layout title="Mon espace">
      <h1>{s.label}</h1>
      <Flash flash={flash} />
      <Kpis
        items={[
          { label: 'Statut', value: PACK_STATUS_LABELS[s.status], testId: 'status' },
          { label: 'Heures disponibles', value: h.available, testId: 'hours-available' },
          { label: 'Utilisées', value: h.used },
          { label: 'Facturées (annulations tardives, absences)', value: h.forfeited, testId: 'hours-forfeited' },
          { label: 'Réservées', value: h.reserved },
        ]}
      />
      <p>
        {s.expiresAt ? (
          <>
            Valable jusqu'au <strong>{whenParis(s.expiresAt, zone)}</strong>. Les heures non utilisées à cette date sont perdues (CGV).
          </>
        ) : (
          `Échéance de paiement : ${whenParis(s.paymentDeadline, zone)}.`
        )}
      </p>
      {s.status === 'AWAITING_PAYMENT' && s.paymentMethod === 'card' && (
        <form method="post" action="/espace/payer">
          <Csrf token={csrf} />
          <button>Payer par carte</button>
        </form>
      )}
      <h2>Mes séances</h2>
      <Sessions pack={s} zone={zone} />
      {s.status === 'ACTIVE' && h.available > 0 && (
        <>
          <h2>Réserver une séance</h2>
          <SlotPicker slots={slots} zone={zone} action="/espace/reserver" csrf={csrf} period={period} baseHref="/espace" />
        </>
      )}
      {s.withdrawal.allowed && (
        <>
          <h2>Rétractation</h2>
          <p>
            Vous pouvez encore vous rétracter jusqu'au {whenParis(new Date(Date.parse(s.withdrawal.until) - 1), zone)} :{' '}
            <a href="/espace/retractation">exercer mon droit de rétractation</a>.
          </p>
        </>
      )}
      <h2>Mes factures</h2>
      <Documents documents={documents} zone={zone} />
      <h2>Mes données</h2>
      <div class="actions">
        <a class="button secondary" href="/espace/coordonnees">
          Corriger mes coordonnées
        </a>
        <form method="post" action="/espace/export">
          <Csrf token={csrf} />
          <button class="secondary">Recevoir par e-mail une copie de mes données</button>
        </form>
      </div>
      <h2>Déconnexion</h2>
      <div class="actions">
        <form method="post" action="/espace/deconnexion">
          <Csrf token={csrf} />
          <button class="secondary">Me déconnecter</button>
        </form>
        <form method="post" action="/espace/deconnexion">
          <Csrf token={csrf} />
          <input type="hidden" name="partout" value="oui" />
          <button class="secondary">Me déconnecter de tous mes appareils</button>
        </form>
      </div>
      <p class="muted">Sur tous vos appareils : les liens d’accès reçus par e-mail jusqu’ici cessent de fonctionner.</p>
    </Layout>
  );
}

/** What cancelling or moving now costs, said before the client commits (CGV: the 24-hour rule). */
function PenaltyNotice({ billed, booking, action }: { billed: boolean; booking: Booking; action: 'annulez' | 'la déplacez' }) {
  return billed ? (
    <p class="flash warning" role="alert" data-testid="penalty-warning">
      <strong>Attention :</strong> la séance commence dans moins de 24 heures. Conformément aux CGV, si vous {action}, les {booking.hours}{' '}
      heure(s) de cette séance seront <strong>facturées</strong> et décomptées de votre pack.
    </p>
  ) : (
    <p class="flash ok" data-testid="free-notice">
      La séance commence dans plus de 24 heures : {action === 'annulez' ? "l'annulation est" : 'le report est'} sans frais.
    </p>
  );
}

export function CancelPage({ booking: b, billed, csrf, zone }: { booking: Booking; billed: boolean; csrf: string; zone: string }) {
  return (
    <Layout title="Annuler une séance">
      <h1>Annuler la séance du {whenParis(b.start, zone)}</h1>
      <PenaltyNotice billed={billed} booking={b} action="annulez" />
      <form method="post" action={`/espace/seances/${b.id}/annuler`}>
        <Csrf token={csrf} />
        <button class="danger">Confirmer l'annulation</button> <a href="/espace">Revenir</a>
      </form>
    </Layout>
  );
}

export function MovePage(p: {
  booking: Booking;
  billed: boolean;
  csrf: string;
  zone: string;
  slots: Array<{ start: string }>;
  period: SlotPeriod;
}) {
  return (
    <Layout title="Déplacer une séance">
      <h1>Déplacer la séance du {whenParis(p.booking.start, p.zone)}</h1>
      <PenaltyNotice billed={p.billed} booking={p.booking} action="la déplacez" />
      <h2>Choisir le nouveau créneau</h2>
      <SlotPicker
        slots={p.slots}
        zone={p.zone}
        action={`/espace/seances/${p.booking.id}/deplacer`}
        csrf={p.csrf}
        period={p.period}
        baseHref={`/espace/seances/${p.booking.id}/deplacer`}
      />
      <p>
        <a href="/espace">Revenir</a>
      </p>
    </Layout>
  );
}

export function NotChangeablePage() {
  return (
    <Layout title="Séance">
      <h1>Cette séance ne peut plus être annulée ni déplacée</h1>
      <p>Elle a déjà commencé, ou elle est annulée ou terminée.</p>
      <p>
        <a href="/espace">Revenir à mon espace</a>
      </p>
    </Layout>
  );
}

export function WithdrawalPage({ pack: s, csrf, zone }: PortalProps) {
  return (
    <Layout title="Rétractation">
      <h1>Droit de rétractation</h1>
      {s.withdrawal.consumedHours ? (
        <p data-testid="withdrawal-terms">
          Une séance a déjà commencé : vous pouvez encore vous rétracter jusqu'au{' '}
          {whenParis(new Date(Date.parse(s.withdrawal.until) - 1), zone)}. Les {s.withdrawal.consumedHours} heure(s) consommée(s) restent
          dues ; les autres vous sont remboursées au prix horaire de votre pack, soit{' '}
          {euros(
            withdrawalRefundCents({
              priceCents: s.priceCents,
              totalHours: s.hours.total,
              keptCents: s.paidCents,
              consumedHours: s.withdrawal.consumedHours,
            }),
          )}{' '}
          (article L221-25 du code de la consommation).
        </p>
      ) : (
        <p data-testid="withdrawal-terms">
          Conformément au code de la consommation, vous pouvez vous rétracter dans les 14 jours suivant votre commande. Tant qu'aucune
          séance n'a commencé, vous êtes remboursé(e) intégralement ({euros(s.paidCents)}).
          {s.withdrawal.reason === 'SESSION_STARTED'
            ? " Une séance ayant commencé, la rétractation n'est plus possible (CGV)."
            : ' Dès qu’une séance a débuté, aucun remboursement, total ou partiel, n’est possible (CGV).'}
        </p>
      )}
      {s.withdrawal.allowed ? (
        <form method="post" action="/espace/retractation">
          <Csrf token={csrf} />
          <button class="danger">Je me rétracte et demande le remboursement</button>
        </form>
      ) : (
        <p class="flash warning">La rétractation n'est plus possible pour ce pack.</p>
      )}
      <p>
        <a href="/espace">Revenir</a>
      </p>
    </Layout>
  );
}

export function LinkRequestPage() {
  return (
    <Layout title="Mon espace client">
      <h1>Accéder à mon espace</h1>
      <p>Indiquez l'adresse e-mail utilisée pour votre commande : nous vous envoyons un lien d'accès.</p>
      <form class="stack" method="post" action="/espace/lien">
        <label for="email">Adresse e-mail</label>
        <input id="email" name="email" type="email" required autocomplete="email" />
        <p>
          <button>Recevoir mon lien</button>
        </p>
      </form>
    </Layout>
  );
}

export function SignedOutPage({ everywhere }: { everywhere: boolean }) {
  return (
    <Layout title="Déconnexion">
      <h1>Vous êtes déconnecté</h1>
      <p data-testid="signed-out">
        {everywhere
          ? 'Vous êtes déconnecté sur tous vos appareils : les liens d’accès reçus jusqu’ici ne fonctionnent plus.'
          : 'Vous êtes déconnecté sur ce navigateur.'}
      </p>
      <p>
        <a href="/espace/lien">Recevoir un nouveau lien d’accès</a>
      </p>
    </Layout>
  );
}

export function LinkSentPage() {
  return (
    <Layout title="Lien envoyé">
      <h1>Vérifiez votre boîte de réception</h1>
      <p>Si cette adresse correspond à une commande, un lien d'accès vient de lui être envoyé.</p>
    </Layout>
  );
}

export function LinkExpiredPage() {
  return (
    <Layout title="Lien expiré">
      <h1>Ce lien n'est plus valable</h1>
      <p>
        Il a expiré ou il est incomplet. <a href="/espace/lien">Recevoir un nouveau lien</a>.
      </p>
    </Layout>
  );
}

export interface ContactValues {
  name: string;
  email: string;
  phone: string;
}

/** The client corrects their name, phone and email address (RGPD art. 16); a new address is confirmed by a link sent to it. */
export function ContactPage(p: { values: ContactValues; csrf: string; errors?: Record<string, string>; flash?: FlashMessage }) {
  const errors = p.errors ?? {};
  const field = (name: keyof ContactValues, label: string, type: string, autocomplete: string) => (
    <>
      <label for={name}>{label}</label>
      <input
        id={name}
        name={name}
        type={type}
        autocomplete={autocomplete}
        value={p.values[name]}
        aria-describedby={errors[name] ? `${name}-error` : undefined}
      />
      {errors[name] && (
        <p class="error-text" id={`${name}-error`}>
          {errors[name]}
        </p>
      )}
    </>
  );
  return (
    <Layout title="Mes coordonnées">
      <h1>Mes coordonnées</h1>
      <Flash flash={p.flash} />
      <form class="stack" method="post" action="/espace/coordonnees">
        <Csrf token={p.csrf} />
        {field('name', 'Nom et prénom', 'text', 'name')}
        {field('phone', 'Téléphone (facultatif)', 'tel', 'tel')}
        {field('email', 'Adresse e-mail', 'email', 'email')}
        <p class="muted">Une nouvelle adresse e-mail n'est enregistrée qu'une fois confirmée par le lien que nous y envoyons.</p>
        <p class="actions">
          <button>Enregistrer</button> <a href="/espace">Revenir</a>
        </p>
      </form>
    </Layout>
  );
}

export function EmailChangedPage({ ok }: { ok: boolean }) {
  return (
    <Layout title="Adresse e-mail">
      <h1>{ok ? 'Adresse e-mail modifiée' : "Ce lien n'est plus valable"}</h1>
      <p>
        {ok
          ? 'Votre nouvelle adresse e-mail est enregistrée : nos prochains messages vous y seront envoyés.'
          : 'Il a expiré (il est valable 24 heures) ou il est incomplet. Recommencez depuis votre espace client.'}
      </p>
      <p>
        <a href="/espace">Mon espace client</a>
      </p>
    </Layout>
  );
}

/** The step between a link and the portal: one button, so that only a person on this site opens a pack's space. */
export function OpenPortalPage({ token, csrf, switching }: { token: string; csrf: string; switching: boolean }) {
  return (
    <Layout title="Mon espace client">
      <h1>Ouvrir mon espace client</h1>
      {switching && <p class="flash warning">Ce lien ouvre l'espace d'une autre commande que celle déjà ouverte dans ce navigateur.</p>}
      <form method="post" action="/espace/ouvrir">
        <Csrf token={csrf} />
        <input type="hidden" name="token" value={token} />
        <button data-testid="open-portal">Ouvrir mon espace</button>
      </form>
    </Layout>
  );
}

/**
 * The legal pages every visitor can read: the legal notices (LCEN art. 6 III: who publishes, how to reach them, who
 * hosts), the privacy notice (RGPD art. 13) and, with the terms of sale, the consumer mediator (Code de la
 * consommation L612-1, L616-1).
 */
import { formatSiret, siren, vatMention, type Seller } from '../../shared/seller';
import type { WithdrawalForm, WithdrawalInformation } from '../../documents';
import { Csrf } from '../views/components';
import { Layout } from '../views/layout';

export function LegalNoticePage({ seller, publicUrl }: { seller: Seller; publicUrl: string }) {
  return (
    <Layout title="Mentions légales">
      <h1>Mentions légales</h1>
      <h2>Éditeur du site</h2>
      <p>
        Le site {publicUrl.replace(/^https?:\/\//, '')} est édité par <strong>{seller.name}</strong>, entrepreneur individuel.
      </p>
      <ul>
        <li>Adresse : {seller.address}</li>
        <li>
          SIRET : {formatSiret(seller.siret)} (SIREN {siren(seller.siret)})
        </li>
        <li>{vatMention(seller.vat)}</li>
        <li>
          Courriel : <a href={`mailto:${seller.email}`}>{seller.email}</a>
        </li>
        <li>Téléphone : {seller.phone}</li>
        <li>Directeur de la publication : {seller.name}</li>
      </ul>
      <h2>Hébergeur</h2>
      <p>
        {seller.host.name} — {seller.host.address}
      </p>
      <h2>Médiation de la consommation</h2>
      <p>
        En cas de litige non résolu avec nous, vous pouvez recourir gratuitement au médiateur de la consommation :{' '}
        <strong>{seller.mediator.name}</strong>, <a href={seller.mediator.url}>{seller.mediator.url}</a> (articles L612-1 et suivants du
        code de la consommation). Vous pouvez aussi utiliser la plateforme européenne de règlement en ligne des litiges.
      </p>
      <h2>Propriété intellectuelle</h2>
      <p>
        Les contenus du site, les supports et les conseils partagés lors des séances sont la propriété de {seller.name} ; ils ne peuvent
        être reproduits sans autorisation écrite (voir les <a href="/cgv">conditions générales de vente</a>).
      </p>
      <h2>Données personnelles et cookies</h2>
      <p>
        Voir la <a href="/confidentialite">politique de confidentialité</a>. Le site n'utilise qu'un cookie de session, nécessaire à
        l'espace client et à l'espace prestataire ; aucun cookie de mesure d'audience ni de publicité.
      </p>
    </Layout>
  );
}

interface Row {
  what: string;
  why: string;
  basis: string;
  kept: string;
}

/** What the product keeps, why, on which legal basis and how long (RGPD art. 13; the erasure keeps what the law requires). */
export const PROCESSING: Row[] = [
  {
    what: 'Nom, adresse e-mail, téléphone (facultatif), description de votre projet',
    why: 'Exécuter la commande : vous joindre, organiser et tenir les séances, vous envoyer les rappels et les documents',
    basis: 'Exécution du contrat (art. 6.1.b du RGPD)',
    kept: 'Le temps de vos packs, puis 3 ans après la fin du dernier (durée de la relation commerciale) ; effacés plus tôt à votre demande, sauf ce que la loi oblige à garder (ci-dessous)',
  },
  {
    what: 'Les cases cochées à la commande (horodatées), la version des CGV acceptée, la commande, les paiements et remboursements',
    why: 'Prouver le contrat et ses conditions',
    basis:
      'Obligation légale (art. 6.1.c) : conservation des contrats conclus par voie électronique (art. L213-1 du code de la consommation)',
    kept: '10 ans à compter de la commande (contrats de 120 € et plus), même après une demande d’effacement',
  },
  {
    what: 'Factures et avoirs (vos nom et adresse de facturation, montants, dates)',
    why: 'Obligations comptables et fiscales',
    basis: 'Obligation légale (art. 6.1.c) : art. L123-22 du code de commerce, art. 289 du CGI',
    kept: '10 ans, même après une demande d’effacement',
  },
  {
    what: 'Adresse IP et navigateur lors de la commande ; journaux techniques (sans vos coordonnées)',
    why: 'Sécurité du site, prévention de la fraude et des abus',
    basis: 'Intérêt légitime (art. 6.1.f)',
    kept: 'IP et navigateur avec la commande (effacés à votre demande) ; journaux 12 mois au plus',
  },
  {
    what: 'Cookie de session',
    why: 'Vous garder connecté(e) à votre espace client',
    basis: 'Strictement nécessaire au service (pas de consentement requis)',
    kept: 'La durée du lien d’accès, effacé à la déconnexion ou à l’effacement',
  },
];

export function PrivacyPage({ seller }: { seller: Seller }) {
  return (
    <Layout title="Politique de confidentialité">
      <h1>Politique de confidentialité</h1>
      <h2>Responsable du traitement</h2>
      <p>
        {seller.name}, {seller.address} — <a href={`mailto:${seller.email}`}>{seller.email}</a>, {seller.phone}.
      </p>
      <h2>Données traitées, finalités, bases légales et durées de conservation</h2>
      <table>
        <thead>
          <tr>
            <th>Données</th>
            <th>Pourquoi</th>
            <th>Base légale</th>
            <th>Durée de conservation</th>
          </tr>
        </thead>
        <tbody>
          {PROCESSING.map((r) => (
            <tr key={r.what}>
              <td data-label="Données">{r.what}</td>
              <td data-label="Pourquoi">{r.why}</td>
              <td data-label="Base légale">{r.basis}</td>
              <td data-label="Durée de conservation">{r.kept}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p>Vos données ne servent qu'à la prestation : elles ne sont ni vendues, ni utilisées pour de la publicité.</p>
      <h2>Destinataires</h2>
      <ul>
        <li>
          <strong>Stripe</strong> (paiement par carte) : Stripe reçoit directement vos données de carte, que nous ne voyons jamais.
        </li>
        <li>
          <strong>{seller.host.name}</strong>, hébergeur du site et de ses données ({seller.host.address}).
        </li>
        <li>
          <strong>Zoom</strong>, pour la tenue des séances à distance.
        </li>
        <li>Notre prestataire d'envoi d'e-mails, pour les confirmations et les rappels.</li>
        <li>Notre banque, pour les virements et leurs remboursements ; notre comptable, pour les factures.</li>
      </ul>
      <p>
        Certains de ces prestataires (Stripe, Zoom) peuvent traiter des données hors de l'Union européenne ; ces transferts sont encadrés
        par les clauses contractuelles types de la Commission européenne ou le cadre de protection des données UE–États-Unis.
      </p>
      <h2>Vos droits</h2>
      <p>
        Vous pouvez à tout moment accéder à vos données, les rectifier, demander leur effacement ou leur portabilité, vous opposer à un
        traitement ou demander sa limitation :
      </p>
      <ul>
        <li>
          depuis votre <a href="/espace/lien">espace client</a> : copie de vos données par e-mail, correction de vos nom, téléphone et
          adresse e-mail ;
        </li>
        <li>
          par e-mail à <a href={`mailto:${seller.email}`}>{seller.email}</a> (effacement et toute autre demande), en réponse sous un mois au
          plus.
        </li>
      </ul>
      <p>
        L'effacement supprime vos coordonnées et rend illisible l'historique de vos séances ; seuls restent ce que la loi oblige à garder :
        la preuve du contrat (version des CGV acceptée, cases cochées et leurs dates, montants) et les factures, 10 ans.
      </p>
      <h2>Réclamation</h2>
      <p>
        Si vous estimez que vos droits ne sont pas respectés, vous pouvez adresser une réclamation à la CNIL :{' '}
        <a href="https://www.cnil.fr">www.cnil.fr</a>, 3 place de Fontenoy, TSA 80715, 75334 Paris Cedex 07.
      </p>
    </Layout>
  );
}

/** The withdrawal information and the model form (annex to R221-1): to print, or to fill in and send from here. */
export function WithdrawalInfoPage(p: {
  information: WithdrawalInformation;
  form: WithdrawalForm;
  csrf: string;
  values?: Record<string, string>;
  errors?: Record<string, string>;
}) {
  const v = p.values ?? {};
  const errors = p.errors ?? {};
  const field = (name: string, label: string, type = 'text', autocomplete?: string) => (
    <>
      <label for={`w-${name}`}>{label}</label>
      <input
        id={`w-${name}`}
        name={name}
        type={type}
        autocomplete={autocomplete}
        value={v[name] ?? ''}
        aria-describedby={errors[name] ? `w-${name}-error` : undefined}
      />
      {errors[name] && (
        <p class="error-text" id={`w-${name}-error`}>
          {errors[name]}
        </p>
      )}
    </>
  );
  return (
    <Layout title="Rétractation">
      <h1>{p.information.title}</h1>
      {p.information.sections.map((s) => (
        <section key={s.heading}>
          <h2>{s.heading}</h2>
          {s.paragraphs.map((t) => (
            <p key={t}>{t}</p>
          ))}
        </section>
      ))}
      <h2>{p.form.title}</h2>
      <p>
        À imprimer et envoyer par la poste ou par e-mail :{' '}
        <a href="/retractation/formulaire.pdf" data-testid="form-pdf">
          formulaire de rétractation (PDF)
        </a>
        . Ou remplissez-le ici : nous vous en accusons réception aussitôt par e-mail, et la date de réception est celle de votre envoi.
      </p>
      <div class="card">
        <p class="muted">{p.form.instruction}</p>
        <p>{p.form.addressee}</p>
        <p>{p.form.statement}</p>
        <form class="stack" method="post" action="/retractation">
          <Csrf token={p.csrf} />
          {field('orderedOn', 'Commandé le (date de votre commande, ou sa référence de virement)')}
          {field('name', 'Nom du (des) consommateur(s)', 'text', 'name')}
          {field('address', 'Adresse du (des) consommateur(s)', 'text', 'street-address')}
          {field('email', 'Adresse e-mail utilisée pour la commande (pour l’accusé de réception)', 'email', 'email')}
          <p class="muted">{p.form.footnote}</p>
          <button>Envoyer ma rétractation</button>
        </form>
      </div>
    </Layout>
  );
}

export function WithdrawalSentPage({ receivedAt, email }: { receivedAt: string; email: string }) {
  return (
    <Layout title="Rétractation envoyée">
      <h1>Votre rétractation est reçue</h1>
      <p>
        Nous l’avons reçue le {receivedAt}. Un accusé de réception vient d’être envoyé à {email}. Le remboursement vous est fait au plus
        tard 14 jours après cette date, par le moyen de paiement utilisé pour la commande.
      </p>
    </Layout>
  );
}

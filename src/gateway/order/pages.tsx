import crypto from 'node:crypto';
import { Fragment } from 'preact';
import { PACK_CODES, type PackCode, type PackOffer } from '../../shared/catalog';
import { euros } from '../../shared/format';
import type { OrderRow } from '../data';
import { CONSENT_KINDS, CONSENT_WORDING, type OrderRequest } from '../orders';
import { priceText } from '../site/pages';
import { PAYMENT_METHOD_LABELS } from '../views/labels';
import type { Seller } from '../../shared/seller';
import { vatMention } from '../../shared/seller';
import { Csrf, whenParis } from '../views/components';
import { Layout } from '../views/layout';

export type FormValues = Record<string, string>;
export type FormErrors = Record<string, string>;

/** A field's error, next to it, and what its input's aria-describedby points at. */
const FieldError = ({ name, errors }: { name: string; errors: FormErrors }) =>
  errors[name] ? (
    <p class="error-text" id={`${name}-error`}>
      {errors[name]}
    </p>
  ) : null;
const describedBy = (name: string, errors: FormErrors) => (errors[name] ? `${name}-error` : undefined);

export function OrderPage({
  catalog,
  csrf,
  values: v,
  errors = {},
}: {
  catalog: Record<PackCode, PackOffer>;
  csrf: string;
  values: FormValues;
  errors?: FormErrors;
}) {
  const selected = (v.packCode as PackCode) || 'PACK_1H';
  const text = (name: string, label: string, type: string, autocomplete?: string, required = false) => (
    <>
      <label for={name}>{label}</label>
      <input
        id={name}
        name={name}
        type={type}
        autocomplete={autocomplete}
        required={required}
        value={v[name] ?? ''}
        aria-describedby={describedBy(name, errors)}
      />
      <FieldError name={name} errors={errors} />
    </>
  );
  return (
    <Layout title="Commander">
      <h1>Commander un pack d'accompagnement</h1>
      {Object.keys(errors).length > 0 && (
        <p class="flash error" role="alert">
          Le formulaire contient des erreurs : corrigez les champs signalés.
        </p>
      )}
      <form class="stack" method="post" action="/commander" novalidate>
        <Csrf token={csrf} />
        <input type="hidden" name="orderKey" value={v.orderKey || crypto.randomUUID()} />
        <label for="packCode">Pack</label>
        <select id="packCode" name="packCode" aria-describedby={describedBy('packCode', errors)}>
          {PACK_CODES.map((c) => (
            <option key={c} value={c} selected={c === selected}>
              {`${catalog[c].label} — ${priceText(catalog[c])}`}
            </option>
          ))}
        </select>
        <FieldError name="packCode" errors={errors} />
        <label for="quantity">Nombre d'heures (pack 1 heure uniquement, 1 à 10)</label>
        <input
          id="quantity"
          name="quantity"
          type="number"
          min="1"
          max="10"
          value={v.quantity || '1'}
          aria-describedby={describedBy('quantity', errors)}
        />
        <FieldError name="quantity" errors={errors} />
        {text('name', 'Nom et prénom', 'text', 'name', true)}
        {text('email', 'Adresse e-mail', 'email', 'email', true)}
        {text('phone', 'Téléphone (facultatif)', 'tel', 'tel')}
        <label for="project">Votre projet en quelques mots (facultatif)</label>
        <textarea id="project" name="project" rows={3} maxlength={2000}>
          {v.project ?? ''}
        </textarea>
        <FieldError name="project" errors={errors} />
        <fieldset>
          <legend>Facturation (facultatif)</legend>
          <p class="muted">Ce que votre facture indiquera en plus de votre nom. Pour une entreprise, son nom et son SIREN.</p>
          <label for="billingAddress">Adresse de facturation</label>
          <textarea
            id="billingAddress"
            name="billingAddress"
            rows={2}
            maxlength={300}
            autocomplete="street-address"
            aria-describedby={describedBy('billingAddress', errors)}
          >
            {v.billingAddress ?? ''}
          </textarea>
          <FieldError name="billingAddress" errors={errors} />
          {text('businessName', 'Entreprise (raison sociale)', 'text', 'organization')}
          {text('siren', 'SIREN de l’entreprise (9 chiffres)', 'text', 'off')}
        </fieldset>
        <fieldset>
          <legend>Avant de commander, je reconnais :</legend>
          {CONSENT_KINDS.map((k) => (
            <Fragment key={k}>
              <label class="check" for={`consent-${k}`}>
                <input
                  type="checkbox"
                  id={`consent-${k}`}
                  name={k}
                  value="yes"
                  checked={v[k] === 'yes'}
                  aria-describedby={describedBy(k, errors)}
                />{' '}
                <span>
                  {CONSENT_WORDING[k]}
                  {k === 'cgv' && (
                    <>
                      {' '}
                      (
                      <a href="/cgv" target="_blank">
                        lire les CGV
                      </a>
                      )
                    </>
                  )}
                </span>
              </label>
              <FieldError name={k} errors={errors} />
            </Fragment>
          ))}
        </fieldset>
        <fieldset>
          <legend>Paiement</legend>
          <label class="check" for="pm-card">
            <input type="radio" id="pm-card" name="paymentMethod" value="card" checked={v.paymentMethod !== 'bank_transfer'} /> Carte
            bancaire (paiement sécurisé Stripe)
          </label>
          <label class="check" for="pm-transfer">
            <input type="radio" id="pm-transfer" name="paymentMethod" value="bank_transfer" checked={v.paymentMethod === 'bank_transfer'} />{' '}
            Virement bancaire
          </label>
          <FieldError name="paymentMethod" errors={errors} />
        </fieldset>
        <p class="muted">Le paiement est exigé à la commande ; aucune séance ne peut être réservée avant sa réception.</p>
        <p class="muted">L'étape suivante récapitule votre commande et son prix total avant que vous ne la passiez.</p>
        <button type="submit">Vérifier ma commande</button>
      </form>
    </Layout>
  );
}

const PortalLink = () => (
  <p>
    <a class="button" href="/espace">
      Mon espace client
    </a>
  </p>
);

export function TransferPage({ pack, bank, zone }: { pack: OrderRow; bank: { holder: string; iban: string; bic: string }; zone: string }) {
  return (
    <Layout title="Paiement par virement">
      <h1>Merci ! Votre commande est enregistrée</h1>
      <p>
        Pour la valider, effectuez un virement de <strong>{euros(pack.priceCents)} TTC</strong> avant le{' '}
        <strong>{whenParis(pack.paymentDeadline, zone)}</strong> :
      </p>
      <table>
        <tbody>
          <tr>
            <th>Titulaire</th>
            <td>{bank.holder}</td>
          </tr>
          <tr>
            <th>IBAN</th>
            <td data-testid="iban">{bank.iban}</td>
          </tr>
          <tr>
            <th>BIC</th>
            <td>{bank.bic}</td>
          </tr>
          <tr>
            <th>Référence à indiquer</th>
            <td data-testid="reference">
              <strong>{pack.bankReference}</strong>
            </td>
          </tr>
        </tbody>
      </table>
      <p>Ces informations vous sont aussi envoyées par e-mail. Vous pourrez réserver vos séances dès réception du virement.</p>
      <PortalLink />
    </Layout>
  );
}

/** Stripe's return page: what the client reads depends on whether the payment has already reached the pack. */
export function ThanksPage({ active, open }: { active: boolean; open?: { token: string; csrf: string } }) {
  return (
    <Layout title="Merci">
      <h1>Merci pour votre paiement</h1>
      {active ? (
        <p data-testid="payment-state">
          Paiement reçu : votre pack est actif. Vous pouvez dès maintenant réserver vos séances depuis votre espace.
        </p>
      ) : (
        <p data-testid="payment-state">
          Votre paiement est en cours de confirmation ; vous recevrez un e-mail dès que votre pack sera actif.
        </p>
      )}
      {open ? (
        <form method="post" action="/espace/ouvrir">
          <Csrf token={open.csrf} />
          <input type="hidden" name="token" value={open.token} />
          <button data-testid="open-portal">Ouvrir mon espace client</button>
        </form>
      ) : (
        <PortalLink />
      )}
    </Layout>
  );
}

/** The bank details page opened without its order (another browser, a bookmark): where to find them. */
export function TransferWithoutOrderPage() {
  return (
    <Layout title="Paiement par virement">
      <h1>Coordonnées pour votre virement</h1>
      <p>
        Les coordonnées bancaires et la référence de votre commande vous ont été envoyées par e-mail, juste après votre commande. Vous les
        retrouvez aussi dans votre espace client.
      </p>
      <p>
        <a class="button" href="/espace/lien">
          Recevoir le lien de mon espace client
        </a>
      </p>
    </Layout>
  );
}

/** The order's price, all taxes included, and its VAT when the seller charges it (prices are TTC). */
export function orderTotal(offer: PackOffer, quantity: number, seller: Seller) {
  const totalCents = offer.priceCents * quantity;
  if (seller.vat.regime === 'franchise') return { totalCents, vatCents: 0, vat: vatMention(seller.vat) };
  const excl = Math.round((totalCents * 100) / (100 + seller.vat.ratePercent));
  return { totalCents, vatCents: totalCents - excl, vat: `dont TVA ${seller.vat.ratePercent} % : ${euros(totalCents - excl)}` };
}

/**
 * The last step before the order (Code de la consommation L221-14): what is bought, its total price and the main
 * terms, then the one button that says ordering means paying. The fields travel as hidden inputs (no JavaScript).
 */
export function OrderReviewPage(p: {
  catalog: Record<PackCode, PackOffer>;
  order: OrderRequest;
  values: FormValues;
  seller: Seller;
  cgvVersion: string;
}) {
  const offer = p.catalog[p.order.packCode];
  const quantity = offer.maxQuantity > 1 ? (p.order.quantity ?? 1) : 1;
  const total = orderTotal(offer, quantity, p.seller);
  const hidden = Object.entries(p.values).filter(([k]) => k !== 'confirm' && k !== 'edit');
  return (
    <Layout title="Vérifier ma commande">
      <h1>Vérifiez votre commande</h1>
      <table>
        <tbody>
          <tr>
            <th scope="row">Pack</th>
            <td>
              {offer.label}
              {quantity > 1 ? ` × ${quantity} heures` : ''}
            </td>
          </tr>
          <tr>
            <th scope="row">Prix</th>
            <td>{priceText(offer)}</td>
          </tr>
          <tr>
            <th scope="row">Total</th>
            <td data-testid="order-total">
              <strong>{euros(total.totalCents)} TTC</strong> ({total.vat})
            </td>
          </tr>
          <tr>
            <th scope="row">Paiement</th>
            <td>
              {PAYMENT_METHOD_LABELS[p.order.paymentMethod]} — exigé à la commande ; aucune séance ne peut être réservée avant sa réception.
            </td>
          </tr>
          <tr>
            <th scope="row">Client</th>
            <td>
              {p.order.customer.name} — {p.order.customer.email}
              {p.order.customer.phone ? ` — ${p.order.customer.phone}` : ''}
            </td>
          </tr>
          {(p.order.customer.business || p.order.customer.billingAddress) && (
            <tr>
              <th scope="row">Facturation</th>
              <td data-testid="billing">
                {[
                  p.order.customer.business ? `${p.order.customer.business.name} (SIREN ${p.order.customer.business.siren})` : '',
                  p.order.customer.billingAddress ?? '',
                ]
                  .filter(Boolean)
                  .join(' — ')}
              </td>
            </tr>
          )}
          <tr>
            <th scope="row">Validité</th>
            <td>3 mois à compter du paiement ; les heures non utilisées à cette date sont perdues.</td>
          </tr>
          <tr>
            <th scope="row">Annulation</th>
            <td>Sans frais jusqu'à 24 heures avant une séance ; au-delà, ses heures sont facturées.</td>
          </tr>
          <tr>
            <th scope="row">Rétractation</th>
            <td>
              14 jours à compter de la commande ; vous avez demandé que la prestation puisse commencer avant, et perdez ce droit dès qu'une
              séance a commencé (<a href="/retractation">formulaire de rétractation</a>).
            </td>
          </tr>
        </tbody>
      </table>
      <p>
        Vendeur : {p.seller.name}, {p.seller.address}. En commandant, vous acceptez les <a href="/cgv">conditions générales de vente</a>{' '}
        (version {p.cgvVersion}) ; elles vous seront envoyées par e-mail avec le récapitulatif de votre commande.
      </p>
      <form method="post" action="/commander">
        {hidden.map(([name, value]) => (
          <input key={name} type="hidden" name={name} value={value} />
        ))}
        <p class="actions">
          <button type="submit" name="edit" value="yes" class="secondary">
            Modifier ma commande
          </button>
          <button type="submit" name="confirm" value="yes" data-testid="place-order">
            Commander avec obligation de paiement
          </button>
        </p>
      </form>
    </Layout>
  );
}

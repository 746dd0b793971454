import crypto from 'node:crypto';
import { Fragment } from 'preact';
import { PACK_CODES, type PackCode, type PackOffer } from '../../shared/catalog';
import { euros } from '../../shared/format';
import type { OrderRow } from '../data';
import { CONSENT_KINDS, CONSENT_WORDING } from '../orders';
import { when } from '../views/components';
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
  values: v,
  errors = {},
}: {
  catalog: Record<PackCode, PackOffer>;
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
        <input type="hidden" name="orderKey" value={v.orderKey || crypto.randomUUID()} />
        <label for="packCode">Pack</label>
        <select id="packCode" name="packCode" aria-describedby={describedBy('packCode', errors)}>
          {PACK_CODES.map((c) => (
            <option key={c} value={c} selected={c === selected}>
              {`${catalog[c].label} — ${euros(catalog[c].priceCents)}${c === 'PACK_1H' ? ' / heure' : ''}`}
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
        <button type="submit">Commander avec obligation de paiement</button>
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
        Pour la valider, effectuez un virement de <strong>{euros(pack.priceCents)}</strong> avant le{' '}
        <strong>{when(pack.paymentDeadline, zone)}</strong> :
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
export function ThanksPage({ active }: { active: boolean }) {
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
      <PortalLink />
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

import { PACK_CODES, type PackCode, type PackOffer } from '../../shared/catalog';
import { euros, frenchDate } from '../../shared/format';
import type { Seller } from '../../shared/seller';
import { Layout } from '../views/layout';

/** « 90,00 € / heure » for the hourly pack, the block's price otherwise. */
export const priceText = (o: PackOffer) => `${euros(o.priceCents)} TTC${o.code === 'PACK_1H' ? ' / heure' : ''}`;

/** What the client gets, in words: « Des séances d'une heure… », « Une séance de 3 heures consécutives. » */
export function sessionText(o: PackOffer): string {
  if (o.sessionHours === 1) return `Des séances d'une heure, à réserver à votre rythme (de 1 à ${o.maxQuantity} heures dans un même pack).`;
  const h = Math.floor(o.breakMinutes / 60);
  const m = o.breakMinutes % 60;
  const pause = o.breakMinutes ? `, plus ${h ? `${h} h${m ? ` ${m}` : ''}` : `${m} min`} de pause` : '';
  return `Une séance de ${o.sessionHours} heures consécutives${pause}.`;
}

export function HomePage({ catalog }: { catalog: Record<PackCode, PackOffer> }) {
  return (
    <Layout title="Accompagnement sites et outils numériques">
      <h1>Accompagnement à distance pour vos sites et outils numériques</h1>
      <p>Des séances individuelles sur Zoom, en packs d'heures prépayées, valables 3 mois.</p>
      <div class="cards">
        {PACK_CODES.map((c) => {
          const o = catalog[c];
          return (
            <div class="card" key={c}>
              <h2>{o.label}</h2>
              <p class="price">{priceText(o)}</p>
              <p>{sessionText(o)}</p>
              <a class="button" href={`/commander?pack=${c}`}>
                Commander
              </a>
            </div>
          );
        })}
      </div>
    </Layout>
  );
}

export function CgvPage({
  cgv,
  shownSince,
  seller,
  zone,
}: {
  cgv: { text: string; version: string };
  shownSince: Date;
  seller: Seller;
  zone: string;
}) {
  return (
    <Layout title="Conditions générales de vente">
      <h1>Conditions générales de vente</h1>
      <p class="muted">
        Version {cgv.version}, en vigueur depuis le {frenchDate(shownSince, zone)}.
      </p>
      <pre class="cgv">{cgv.text}</pre>
      <h2>Médiation de la consommation</h2>
      <p>
        En cas de litige non résolu à l'amiable, vous pouvez recourir gratuitement au médiateur de la consommation : {seller.mediator.name},{' '}
        <a href={seller.mediator.url}>{seller.mediator.url}</a> (articles L612-1 et L616-1 du code de la consommation).
      </p>
    </Layout>
  );
}

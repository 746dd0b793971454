import { PACK_CODES, type PackCode, type PackOffer } from '../../shared/catalog';
import { euros } from '../../shared/format';
import { Layout } from '../views/layout';

/** « 90,00 € / heure » for the hourly pack, the block's price otherwise. */
export const priceText = (o: PackOffer) => `${euros(o.priceCents)}${o.code === 'PACK_1H' ? ' / heure' : ''}`;

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
              <p>
                {o.hours} h{o.breakMinutes ? ' (hors pause)' : ''}, séance
                {o.sessionHours > 1 ? ` d'un bloc de ${o.sessionHours} h` : 's de 1 h'}.
              </p>
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

export function CgvPage({ cgv }: { cgv: { text: string; version: string } }) {
  return (
    <Layout title="Conditions générales de vente">
      <h1>Conditions générales de vente</h1>
      <p class="muted">Version {cgv.version}</p>
      <pre class="cgv">{cgv.text}</pre>
    </Layout>
  );
}

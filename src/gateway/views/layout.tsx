/** The one page shell of the site, the portal and the dashboard. */
import type { ComponentChildren } from 'preact';

export interface LayoutProps {
  title: string;
  /** The dashboard's navigation, when signed in. */
  nav?: ComponentChildren;
  /** The provider's pages carry their own footer, not the clients'. */
  area?: 'site' | 'admin';
  children: ComponentChildren;
}

export function Layout({ title, nav, area = 'site', children }: LayoutProps) {
  return (
    <html lang="fr">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${title} — imaginasite`}</title>
        <link rel="stylesheet" href="/static/site.css" />
        <link rel="icon" href="/static/favicon.svg" type="image/svg+xml" />
      </head>
      <body>
        <header class="top">
          <a class="brand" href={area === 'admin' ? '/admin' : '/'}>
            imaginasite
          </a>
          {nav}
        </header>
        <main>{children}</main>
        {area === 'admin' ? (
          <footer>
            Espace prestataire — imaginasite · <span data-testid="times-in-paris">toutes les heures sont en heure de Paris</span>
          </footer>
        ) : (
          <footer>
            <nav aria-label="Informations légales" class="legal">
              <a href="/cgv">Conditions générales de vente</a>
              <a href="/mentions-legales">Mentions légales</a>
              <a href="/confidentialite">Confidentialité</a>
              <a href="/retractation">Rétractation</a>
              <a href="/espace/lien">Mon espace client</a>
            </nav>
          </footer>
        )}
      </body>
    </html>
  );
}

import { Layout } from './layout';

const TITLES: Record<number, string> = { 401: 'Accès impossible', 403: 'Action refusée', 404: 'Page introuvable', 429: 'Trop de demandes' };

/** Any error shown as a page: a French message, the site's header and footer, a way back. */
export function ErrorPage({ status, message }: { status: number; message: string }) {
  const title = TITLES[status] ?? (status >= 500 ? 'Service indisponible' : 'Oups');
  return (
    <Layout title={title}>
      <h1>{title}</h1>
      <p>{message}</p>
      <p>
        <a href="/">Retour à l'accueil</a>
      </p>
    </Layout>
  );
}

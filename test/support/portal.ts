// The browser's steps into the pages that need this browser's session first: the order form (its CSRF token) and the
// portal opened from a link (one click on the site, not the link alone).
import type request from 'supertest';
import { parseHtml } from './html';

type Agent = ReturnType<typeof request.agent>;

/** The CSRF token of the first form on a page. */
export const csrfIn = (html: string): string => {
  const v = parseHtml(html).querySelector('input[name=csrf]')?.getAttribute('value');
  if (!v) throw new Error('no csrf field on the page');
  return v;
};

/** Opens the order form in this browser and answers its CSRF token. */
export async function orderFormCsrf(agent: Agent, url = '/commander'): Promise<string> {
  const res = await agent.get(url).set('accept', 'text/html');
  if (res.status !== 200) throw new Error(`GET ${url} answered ${res.status}`);
  return csrfIn(res.text);
}

/** Follows a portal link in this browser, then clicks « Ouvrir mon espace »: the browser holds the pack's portal. */
export async function openPortal(agent: Agent, token: string): Promise<void> {
  const link = await agent.get(`/espace?token=${encodeURIComponent(token)}`).set('accept', 'text/html');
  if (link.status === 303) return; // already this pack's portal
  if (link.status !== 200) throw new Error(`the link answered ${link.status}: ${link.text.slice(0, 300)}`);
  const opened = await agent
    .post('/espace/ouvrir')
    .type('form')
    .send({ token, csrf: csrfIn(link.text) });
  if (opened.status !== 303 || opened.headers.location !== '/espace') throw new Error(`opening the portal answered ${opened.status}`);
}

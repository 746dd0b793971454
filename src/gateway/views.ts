/**
 * Server-rendered HTML, in French, working without JavaScript. Every value from outside goes through `esc`.
 */
import { euros, frenchDateTime } from '../activities/emails/templates';

import { escapeHtml as esc } from '../shared/html';

export { esc };

/** Marks a string as already-safe HTML. */
export class Html {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

/** Tagged template: interpolations are escaped unless they are Html (or arrays of Html). */
export function html(strings: TemplateStringsArray, ...values: unknown[]): Html {
  let out = strings[0];
  values.forEach((v, i) => {
    const render = (x: unknown): string =>
      x instanceof Html ? x.value : Array.isArray(x) ? x.map(render).join('') : x === false || x === null || x === undefined ? '' : esc(x);
    out += render(v) + strings[i + 1];
  });
  return new Html(out);
}

export { euros };

export function when(iso: string | Date | null | undefined, zone = 'Europe/Paris'): string {
  return iso ? frenchDateTime(iso, zone) : '—';
}

export const STATUS_LABELS: Record<string, string> = {
  AWAITING_PAYMENT: 'En attente de paiement',
  ACTIVE: 'Actif',
  USED_UP: 'Heures utilisées',
  EXPIRED: 'Expiré',
  CANCELLED_UNPAID: 'Annulé (non payé)',
  WITHDRAWN: 'Rétracté',
  REQUESTED: 'Demandée',
  CONFIRMED: 'Confirmée',
  DECLINED: 'Refusée',
  CANCELLED: 'Annulée sans frais',
  LATE_CANCELLED: 'Annulée tardivement (facturée)',
  NO_SHOW: 'Absence (facturée)',
  HELD: 'Effectuée',
};

export function page(title: string, body: Html, opts: { nav?: Html } = {}): string {
  return `<!doctype html>
<html lang="fr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)} — imaginasite</title>
<link rel="stylesheet" href="/static/site.css">
</head>
<body>
<header class="top"><a class="brand" href="/">imaginasite</a>${opts.nav?.value ?? ''}</header>
<main>
${body.value}
</main>
<footer><a href="/cgv">Conditions générales de vente</a> · <a href="/espace/lien">Mon espace client</a></footer>
</body>
</html>`;
}

export const flash = (message?: string, kind: 'ok' | 'error' | 'warning' = 'ok') =>
  message ? html`<p class="flash ${kind}" role="status">${message}</p>` : html``;

export const CSS = `
*{box-sizing:border-box}body{margin:0;font-family:system-ui,-apple-system,Segoe UI,Roboto,Arial,sans-serif;color:#1d2330;background:#f6f7fb;line-height:1.5}
header.top{display:flex;gap:1rem;align-items:center;justify-content:space-between;padding:.8rem 1.2rem;background:#1f3a8a;color:#fff}
header.top a{color:#fff;text-decoration:none}.brand{font-weight:700;font-size:1.2rem}nav a{margin-left:1rem}
main{max-width:960px;margin:0 auto;padding:1.2rem}footer{max-width:960px;margin:2rem auto;padding:0 1.2rem;color:#667;font-size:.9rem}
h1{font-size:1.6rem}h2{font-size:1.25rem;margin-top:2rem}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(220px,1fr));gap:1rem}.card{background:#fff;border-radius:10px;padding:1rem;box-shadow:0 1px 3px #0002}
.price{font-size:1.4rem;font-weight:700}
form.stack label{display:block;margin-top:.9rem;font-weight:600}form.stack input[type=text],form.stack input[type=email],form.stack input[type=tel],form.stack input[type=number],form.stack input[type=password],form.stack select,form.stack textarea{width:100%;padding:.55rem;border:1px solid #99a;border-radius:6px;font:inherit}
fieldset{border:1px solid #ccd;border-radius:8px;margin-top:1rem;padding:.8rem}.check{display:flex;gap:.6rem;align-items:flex-start;margin:.6rem 0;font-weight:400!important}.check input{margin-top:.3rem}
.error-text{color:#b00020;font-weight:600;margin:.2rem 0}.flash{padding:.7rem 1rem;border-radius:8px}.flash.ok{background:#e6f4ea}.flash.error{background:#fde7e9}.flash.warning{background:#fff4e5}
button,.button{display:inline-block;background:#1f3a8a;color:#fff;border:0;border-radius:6px;padding:.55rem 1rem;font:inherit;cursor:pointer;text-decoration:none}
button.secondary,.button.secondary{background:#fff;color:#1f3a8a;border:1px solid #1f3a8a}button.danger{background:#b00020}
table{width:100%;border-collapse:collapse;background:#fff}th,td{padding:.45rem .5rem;border-bottom:1px solid #e3e5ee;text-align:left;vertical-align:top}
.inline{display:inline}.muted{color:#667}.slots{display:flex;flex-wrap:wrap;gap:.4rem}.slots form{margin:0}
.kpis{display:flex;gap:1rem;flex-wrap:wrap}.kpi{background:#fff;border-radius:8px;padding:.6rem 1rem}.kpi b{display:block;font-size:1.4rem}
pre.cgv{white-space:pre-wrap;background:#fff;padding:1rem;border-radius:8px}
@media (max-width:600px){th:nth-child(n+4),td:nth-child(n+4){display:none}}
`;

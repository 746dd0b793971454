/**
 * The contract on a durable medium (issue 13, point 3; Code de la consommation L221-13, L221-5, R221-1): the CGV
 * exactly as accepted, the order recap with each acknowledgment and its time, the withdrawal information and the
 * model form — real PDFs (PDF/A-3b by veraPDF, through the Mustang validator) whose text says what the law asks.
 */
import fs from 'node:fs';
import path from 'node:path';
import {
  cgvDocument,
  cgvPdf,
  fillSellerInCgv,
  orderRecap,
  orderRecapPdf,
  withdrawalForm,
  withdrawalFormPdf,
  withdrawalFormText,
  withdrawalInformation,
  withdrawalInformationText,
  type ConsentRecord,
  type DocumentSeller,
  type OrderFacts,
} from '../../src/documents';
import { DEFAULT_SETTINGS, withdrawalDeadlineOf } from '../../src/shared/policy';
import { flat, readPdfs, validateWithMustang, type PdfContent, type ValidatorVerdict } from '../support/documents';

const SELLER: DocumentSeller = {
  name: 'Jean Dupont EI',
  address: '12 rue des Lilas, 75011 Paris',
  siret: '73282932000074',
  vat: { regime: 'franchise' },
  email: 'contact@imaginasite.com',
  phone: '+33 6 12 34 56 78',
};
const SELLER_VAT: DocumentSeller = { ...SELLER, vat: { regime: 'vat', number: 'FR44732829320', ratePercent: 20 } };

const SEED_CGV = fs.readFileSync(path.join(__dirname, '../../content/cgv.fr.txt'), 'utf8');
const CGV_VERSION = '3f2a9c41d07be815';

/** The boxes of the order form, as the gateway stores them (wording and time of each tick). */
const CONSENTS: ConsentRecord[] = [
  {
    kind: 'equipment',
    wording:
      "Je dispose d'un ordinateur équipé d'une caméra et d'un micro fonctionnels, d'une connexion Internet stable permettant la tenue de visioconférences via Zoom, et je suis en mesure d'installer et d'utiliser Zoom.",
    acceptedAt: '2026-11-26T15:01:07.412Z',
  },
  {
    kind: 'skills',
    wording:
      "Je maîtrise les usages courants de l'informatique : traitement de texte, tableur, navigation web ; e-mail et pièces jointes ; services en ligne du quotidien ; installation de logiciels, dossiers et fichiers de mon ordinateur.",
    acceptedAt: '2026-11-26T15:01:09.031Z',
  },
  {
    kind: 'websiteConditions',
    wording:
      "Je comprends que l'accompagnement se réalise sur un site en ligne ; le nom de domaine et l'hébergement ne sont ni inclus ni déductibles du tarif, je les acquiers auprès du prestataire de mon choix, à ma charge exclusive.",
    acceptedAt: '2026-11-26T15:01:12.950Z',
  },
  { kind: 'cgv', wording: "J'ai lu et j'accepte les conditions générales de vente.", acceptedAt: '2026-11-26T15:01:15.004Z' },
  {
    kind: 'withdrawalWaiver',
    wording:
      "Je demande expressément que la prestation puisse commencer avant la fin du délai de rétractation de 14 jours, et je reconnais perdre mon droit de rétractation dès qu'une séance a commencé.",
    acceptedAt: '2026-11-26T15:01:18.777Z',
  },
];
/** The times above as the client reads them, in Paris (UTC+1 in November). */
const TICKED_AT = ['16:01:07', '16:01:09', '16:01:12', '16:01:15', '16:01:18'];

const ORDER: OrderFacts = {
  reference: '5b0c7e9a-1f1e-4d5b-9a57-0c1f6a8e2d41',
  orderedAt: '2026-11-26T15:01:20.000Z',
  client: { name: 'Marie Martin', email: 'marie.martin@example.org', phone: '06 11 22 33 44' },
  pack: { label: 'Pack 1 heure', hoursPerUnit: 1 },
  quantity: 3,
  totalCents: 27_000,
  paymentMethod: 'bank_transfer',
  bankTransfer: { iban: 'FR76 3000 6000 0112 3456 7890 189', reference: 'IMG-7F3K2Q' },
  paymentDeadline: '2026-12-03T15:01:20.000Z',
  // Ordered on Thursday 26 November: the 14th day is Thursday 10 December, so the period ends at midnight that night.
  withdrawalEndsAt: '2026-12-10T23:00:00.000Z',
  cgv: { version: CGV_VERSION, shownSince: '2026-11-01T09:00:00.000Z' },
};

const compact = (s: string): string => s.replace(/\s+/g, '');

let cgv: PdfContent;
let recap: PdfContent;
let recapVat: PdfContent;
let form: PdfContent;
let pdfa: ValidatorVerdict[];

beforeAll(async () => {
  const pdfs = await Promise.all([
    cgvPdf({ text: SEED_CGV, version: CGV_VERSION, shownSince: '2026-11-01T09:00:00.000Z', seller: SELLER }),
    orderRecapPdf({ order: ORDER, seller: SELLER, consents: CONSENTS }),
    orderRecapPdf({ order: { ...ORDER, paymentMethod: 'card', bankTransfer: undefined }, seller: SELLER_VAT, consents: CONSENTS }),
    withdrawalFormPdf({ seller: SELLER, createdAt: '2026-11-26T15:01:20.000Z' }),
  ]);
  [[cgv, recap, recapVat, form], pdfa] = await Promise.all([
    readPdfs(pdfs) as Promise<[PdfContent, PdfContent, PdfContent, PdfContent]>,
    validateWithMustang(['cgv', 'recap', 'recap-vat', 'form'].map((name, i) => ({ name, pdf: pdfs[i] }))),
  ]);
}, 120_000);

describe('the CGV on a durable medium', () => {
  test('the PDF holds every clause of the CGV as accepted, in order, with the seller where the seed left a blank', () => {
    const accepted = fillSellerInCgv(SEED_CGV, SELLER);
    const text = compact(cgv.body);
    let from = 0;
    for (const block of cgvDocument({ text: SEED_CGV, version: CGV_VERSION, shownSince: ORDER.orderedAt, seller: SELLER }).blocks) {
      for (const piece of block.kind === 'bullets' ? block.items : [block.text]) {
        const at = text.indexOf(compact(piece), from);
        expect({ piece, found: at >= 0 }).toEqual({ piece, found: true });
        expect(accepted).toContain(piece);
        from = at;
      }
    }
    expect(flat(cgv.body)).toContain(
      'le prestataire, Jean Dupont EI (12 rue des Lilas, 75011 Paris ; SIRET 732 829 320 00074 ; TVA non applicable, art. 293 B du CGI ; contact@imaginasite.com), propose',
    );
    expect(cgv.text).not.toContain('M. ,');
  });

  test("the CGV's clauses that rule a pack's life are there, word for word", () => {
    const text = flat(cgv.body);
    for (const clause of [
      'Les packs achetés sont valables pour une durée de 3 mois à compter de la date d’achat.',
      'Toute demande d’annulation ou de report doit être faite au moins 24 heures avant l’heure convenue du rendez-vous.',
      'Ainsi, dès lors que le rendez-vous a débuté et que le client a commencé à bénéficier des conseils, aucun remboursement, total ou partiel, ne sera accordé.',
    ]) {
      expect(text).toContain(clause);
    }
  });

  test('the PDF states the version hash and since when that version was shown, and the seller’s identity', () => {
    const text = flat(cgv.body);
    expect(text).toContain(`Version ${CGV_VERSION}, affichée sur le site depuis le 01/11/2026 à 10:00:00 (heure de Paris)`);
    for (const s of [
      'Jean Dupont EI',
      '12 rue des Lilas, 75011 Paris',
      '73282932000074',
      'TVA non applicable, art. 293 B du CGI',
      'contact@imaginasite.com',
      '+33 6 12 34 56 78',
    ]) {
      expect(text).toContain(s);
    }
    expect(cgv.info.Title).toBe('Conditions générales de vente');
  });

  test('text already filled in (a stored version) is printed unchanged', () => {
    const stored = fillSellerInCgv(SEED_CGV, SELLER);
    expect(fillSellerInCgv(stored, SELLER_VAT)).toBe(stored);
    expect(cgvDocument({ text: stored, version: CGV_VERSION, shownSince: ORDER.orderedAt, seller: SELLER_VAT }).text).toBe(stored);
  });
});

describe('the order recap', () => {
  test('each acknowledgment ticked is printed with its exact wording and the time it was ticked, in Paris', () => {
    const text = flat(recap.body);
    CONSENTS.forEach((c, i) => {
      const wording = text.indexOf(c.wording);
      expect({ kind: c.kind, found: wording >= 0 }).toEqual({ kind: c.kind, found: true });
      expect(text.indexOf(`Case cochée le 26/11/2026 à ${TICKED_AT[i]} (heure de Paris)`, wording)).toBeGreaterThan(wording);
    });
  });

  test('it names the seller, the client, the pack, the quantity, the hours, the price TTC, the payment and its deadline', () => {
    const text = flat(recap.body);
    for (const s of [
      'Prestataire Jean Dupont EI',
      'SIRET 73282932000074',
      'TVA non applicable, art. 293 B du CGI',
      'E-mail contact@imaginasite.com',
      'Téléphone +33 6 12 34 56 78',
      'Nom Marie Martin',
      'E-mail marie.martin@example.org',
      `N° de commande ${ORDER.reference}`,
      'Date de la commande 26/11/2026 à 16:01:20 (heure de Paris)',
      'Prestation Pack 1 heure',
      'Quantité 3',
      'Heures 3 heures',
      'Prix total TTC 270,00 €',
      'Moyen de paiement Virement bancaire',
      'IBAN du prestataire FR76 3000 6000 0112 3456 7890 189',
      'Référence à indiquer IMG-7F3K2Q',
      'sans paiement reçu au plus tard le 03/12/2026 à 16:01:20 (heure de Paris), la commande est annulée',
    ]) {
      expect(text).toContain(s);
    }
  });

  test('under VAT it shows the price excluding VAT and the VAT beside the price TTC', () => {
    const text = flat(recapVat.body);
    for (const s of ['Prix total TTC 270,00 €', 'Prix total HT 225,00 €', 'TVA 20 % 45,00 €', 'FR44732829320', 'Carte bancaire']) {
      expect(text).toContain(s);
    }
  });

  test('it names the CGV version accepted', () => {
    expect(flat(recap.body)).toContain(`Version acceptée ${CGV_VERSION}`);
  });

  test('it gives the withdrawal information: 14 days, the last day, how to withdraw, the effect of the early start', () => {
    const text = flat(recap.body);
    for (const s of [
      'Vous avez le droit de vous rétracter du présent contrat sans donner de motif dans un délai de quatorze jours.',
      "Pour votre commande du 26/11/2026, vous pouvez vous rétracter jusqu'au 10/12/2026 inclus.",
      'Pour exercer le droit de rétractation, vous devez nous notifier (Jean Dupont EI, 12 rue des Lilas, 75011 Paris, téléphone +33 6 12 34 56 78, e-mail contact@imaginasite.com)',
      "au moyen d'une déclaration dénuée d'ambiguïté",
      'au plus tard quatorze jours à compter du jour où nous sommes informés de votre décision de rétractation',
      "Tant qu'aucune séance n'a commencé, vous pouvez vous rétracter et vous êtes remboursé intégralement.",
      "une fois la première séance commencée, aucun remboursement, total ou partiel, n'est accordé",
    ]) {
      expect(text).toContain(s);
    }
  });

  test("the last day printed is the one the pack's rules compute (withdrawalDeadlineOf)", () => {
    const end = withdrawalDeadlineOf(Date.parse(ORDER.orderedAt), DEFAULT_SETTINGS);
    expect(new Date(end).toISOString()).toBe(ORDER.withdrawalEndsAt);
    const saturday = '2026-11-28T10:00:00.000Z'; // the 14th day is Saturday 12 December: the period runs to Monday 14
    const info = withdrawalInformation({
      seller: SELLER,
      order: {
        orderedOn: '28/11/2026',
        withdrawalEndsAt: new Date(withdrawalDeadlineOf(Date.parse(saturday), DEFAULT_SETTINGS)).toISOString(),
      },
    });
    expect(withdrawalInformationText(info)).toContain(
      "Pour votre commande du 28/11/2026, vous pouvez vous rétracter jusqu'au 14/12/2026 inclus.",
    );
  });

  test('with WITHDRAWAL_AFTER_START=prorata the recap says the unconsumed hours are refunded (L221-25)', () => {
    const info = orderRecap({ order: ORDER, seller: SELLER, consents: CONSENTS, withdrawalAfterStart: 'prorata' }).withdrawal;
    const text = withdrawalInformationText(info);
    expect(text).toContain(
      'les heures non consommées vous sont remboursées au prix horaire de votre pack (article L221-25 du Code de la consommation)',
    );
    expect(text).not.toContain('aucun remboursement, total ou partiel');
  });

  test('the acknowledgments are listed in the order they were ticked, each under its heading', () => {
    const r = orderRecap({ order: ORDER, seller: SELLER, consents: [...CONSENTS].reverse() });
    expect(r.acknowledgments.map((a) => a.heading)).toEqual([
      'Matériel et environnement technique',
      'Compétences informatiques de base',
      'Conditions spécifiques liées à la création d’un site web',
      'Conditions générales de vente',
      'Exécution avant la fin du délai de rétractation',
    ]);
  });
});

describe('the withdrawal information and the model form (annex to R221-1)', () => {
  const MODEL = [
    'Formulaire de rétractation',
    '(Veuillez compléter et renvoyer le présent formulaire uniquement si vous souhaitez vous rétracter du contrat.)',
    "À l'attention de Jean Dupont EI, 12 rue des Lilas, 75011 Paris, contact@imaginasite.com :",
    'Je/nous (*) vous notifie/notifions (*) par la présente ma/notre (*) rétractation du contrat portant sur la prestation de services ci-dessous :',
    'Commandé le (*)/reçu le (*) :',
    'Nom du (des) consommateur(s) :',
    'Adresse du (des) consommateur(s) :',
    'Signature du (des) consommateur(s) (uniquement en cas de notification du présent formulaire sur papier) :',
    'Date :',
    '(*) Rayez la mention inutile.',
  ];

  test('the PDF holds the model form word for word, addressed to the seller, after the withdrawal information', () => {
    const text = flat(form.body);
    let from = text.indexOf('Informations sur le droit de rétractation');
    expect(from).toBeGreaterThanOrEqual(0);
    for (const line of MODEL) {
      const at = text.indexOf(line, from);
      expect({ line, found: at >= 0 }).toEqual({ line, found: true });
      from = at;
    }
    expect(form.pages).toHaveLength(2);
  });

  test('the same form and information exist as plain text and as structured data for the /retractation page', () => {
    const f = withdrawalForm(SELLER);
    expect([f.title, f.instruction, f.addressee, f.statement, ...f.fields.map((x) => x.label), f.footnote]).toEqual(MODEL);
    const text = flat(withdrawalFormText(f));
    let from = 0;
    for (const line of MODEL.slice(1)) {
      const at = text.indexOf(line, from);
      expect({ line, found: at >= 0 }).toEqual({ line, found: true });
      from = at;
    }
    const info = withdrawalInformation({ seller: SELLER });
    expect(info.sections.map((s) => s.heading)).toEqual([
      'Droit de rétractation',
      'Comment vous rétracter',
      'Effets de la rétractation',
      'Exécution de la prestation avant la fin du délai',
    ]);
    expect(withdrawalInformationText(info)).toContain('dans un délai de quatorze jours');
  });
});

describe('durable and archival', () => {
  test.each(['cgv', 'recap', 'recap-vat', 'form'])('the %s PDF is PDF/A-3b by veraPDF', (name) => {
    const v = pdfa.find((x) => x.name === name)!;
    // The Mustang validator's PDF part also asks for the Factur-X XMP, which only invoices carry; veraPDF's own
    // verdict is the PDF/A one.
    expect(v.pdfa).toMatch(/flavour=3b.*assertions=\[\], isCompliant=true/);
  });
});

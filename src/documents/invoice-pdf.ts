/**
 * The invoice or credit note as a Factur-X PDF: a PDF/A-3b whose pages show the document and which carries its
 * CII XML as the attached file `factur-x.xml` (relationship Alternative: the XML is the same invoice in another
 * form), declared in the XMP metadata by the Factur-X extension schema (DocumentType INVOICE, Version 1.0,
 * ConformanceLevel EN 16931).
 */
import { lastDayBefore } from './dates';
import { FACTUR_X_FILENAME, FACTUR_X_PROFILE, facturXml } from './factur-x';
import { frDate, type InvoiceDocument } from './invoice';
import { euros, percent } from './money';
import { createPdf } from './pdf';

const FX_NS = 'urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#';

/** The XMP that PDF/A requires for any property outside its own schemas: the Factur-X schema, described. */
const facturXmp = (conformanceLevel: string): string => {
  const property = (name: string, description: string) => `
              <rdf:li rdf:parseType="Resource">
                <pdfaProperty:name>${name}</pdfaProperty:name>
                <pdfaProperty:valueType>Text</pdfaProperty:valueType>
                <pdfaProperty:category>external</pdfaProperty:category>
                <pdfaProperty:description>${description}</pdfaProperty:description>
              </rdf:li>`;
  return `
        <rdf:Description rdf:about="" xmlns:fx="${FX_NS}">
          <fx:DocumentType>INVOICE</fx:DocumentType>
          <fx:DocumentFileName>${FACTUR_X_FILENAME}</fx:DocumentFileName>
          <fx:Version>1.0</fx:Version>
          <fx:ConformanceLevel>${conformanceLevel}</fx:ConformanceLevel>
        </rdf:Description>
        <rdf:Description rdf:about="" xmlns:pdfaExtension="http://www.aiim.org/pdfa/ns/extension/" xmlns:pdfaSchema="http://www.aiim.org/pdfa/ns/schema#" xmlns:pdfaProperty="http://www.aiim.org/pdfa/ns/property#">
          <pdfaExtension:schemas>
            <rdf:Bag>
              <rdf:li rdf:parseType="Resource">
                <pdfaSchema:schema>Factur-X PDFA Extension Schema</pdfaSchema:schema>
                <pdfaSchema:namespaceURI>${FX_NS}</pdfaSchema:namespaceURI>
                <pdfaSchema:prefix>fx</pdfaSchema:prefix>
                <pdfaSchema:property>
                  <rdf:Seq>${property('DocumentFileName', 'The name of the embedded XML document')}${property('DocumentType', 'The type of the hybrid document in capital letters, e.g. INVOICE or ORDER')}${property('Version', 'The actual version of the standard applying to the embedded XML document')}${property('ConformanceLevel', 'The conformance level of the embedded XML document')}
                  </rdf:Seq>
                </pdfaSchema:property>
              </rdf:li>
            </rdf:Bag>
          </pdfaExtension:schemas>
        </rdf:Description>`;
};

/** PDFKit's attachment options, with the PDF/A-3 relationship its type declarations do not list yet. */
type AttachmentOptions = PDFKit.Mixins.PDFAttachmentOptions & { relationship: 'Alternative' | 'Data' | 'Source' };

export async function invoicePdf(doc: InvoiceDocument): Promise<Buffer> {
  const xml = facturXml(doc);
  const heading = `${doc.title} n° ${doc.number}`;
  const pdf = createPdf({ title: heading, createdAt: doc.issuedAt, footer: `${doc.seller.name} — ${heading}` });
  const vat = doc.seller.vat.regime === 'vat';

  pdf.title(heading);
  pdf.facts([
    ["Date d'émission", frDate(doc.issueDate)],
    [doc.kind === 'invoice' ? 'Date de la vente' : 'Date du remboursement', frDate(doc.saleDate)],
    doc.payment.refundDueAt
      ? ['Remboursement', `à faire au plus tard le ${lastDayBefore(doc.payment.refundDueAt)} (${doc.payment.methodLabel})`]
      : [
          doc.kind === 'invoice' ? 'Date du paiement' : 'Date du versement',
          `${frDate(doc.payment.paymentDate)} (${doc.payment.methodLabel})`,
        ],
    ...(doc.payment.reference ? [['Référence du paiement', doc.payment.reference] as const] : []),
    ...(doc.correctedInvoice
      ? [['Facture corrigée', `${doc.correctedInvoice.number} du ${frDate(doc.correctedInvoice.issueDate)}`] as const]
      : []),
    ...(doc.reason ? [['Motif', doc.reason] as const] : []),
  ]);

  pdf.heading('Vendeur');
  pdf.facts([
    ['Nom', doc.seller.name],
    ['Adresse', doc.seller.address],
    ['SIRET', doc.seller.siret],
    ['TVA', doc.seller.vat.regime === 'vat' ? `N° ${doc.seller.vat.number}` : 'Franchise en base (art. 293 B du CGI)'],
    ['Contact', `${doc.seller.email} — ${doc.seller.phone}`],
  ]);

  pdf.heading('Client');
  const b = doc.buyer;
  pdf.facts([
    ...(b.business ? [['Entreprise', b.business.name] as const, ['SIREN', b.business.siren] as const] : []),
    [b.business ? 'Contact' : 'Nom', b.name],
    ...(b.billingAddress ? [['Adresse de facturation', b.billingAddress] as const] : []),
    ...(b.email ? [['E-mail', b.email] as const] : []),
  ]);

  pdf.heading(`Détail — ${doc.mentions.nature.toLowerCase()}`);
  const unit = (l: InvoiceDocument['lines'][number]) =>
    vat ? `${euros(l.unitPriceExclVatCents)} HT\n${euros(l.unitPriceCents)} TTC` : euros(l.unitPriceCents);
  pdf.table(
    [
      { label: 'Désignation', width: 230 },
      { label: 'Heures', width: 50 },
      { label: 'Qté', width: 40 },
      { label: 'Prix unitaire', width: 80 },
      { label: vat ? 'Total TTC' : 'Total', width: pdf.width - 400 },
    ],
    doc.lines.map((l) => [l.description, String(l.hours), String(l.quantity), unit(l), euros(l.total.inclVatCents)]),
  );

  const totals: Array<readonly [string, string]> = vat
    ? [
        ['Total HT', euros(doc.totals.exclVatCents)],
        [`TVA ${percent(doc.vatRatePercent)}`, euros(doc.totals.vatCents)],
        ['Total TTC', euros(doc.totals.inclVatCents)],
      ]
    : [['Total', euros(doc.totals.inclVatCents)]];
  totals.push([doc.kind === 'invoice' ? 'Déjà payé' : 'Remboursé', euros(doc.totals.paidCents)], ['Reste dû', euros(doc.totals.dueCents)]);
  pdf.space(0.3).facts(totals, 330, 'right');

  pdf.heading('Mentions');
  pdf.paragraph(`Nature : ${doc.mentions.nature}.`);
  pdf.paragraph(doc.mentions.vat + (vat ? '' : '.'));
  if (doc.mentions.correction) pdf.paragraph(doc.mentions.correction);
  pdf.paragraph(doc.mentions.paymentTerms);
  for (const m of doc.mentions.latePayment) pdf.paragraph(m);
  pdf.paragraph(
    `Les données de ce document figurent aussi, au format Factur-X (${FACTUR_X_PROFILE.conformanceLevel}), dans le fichier joint ${FACTUR_X_FILENAME}.`,
    {
      muted: true,
      size: 8,
    },
  );

  const issued = new Date(doc.issuedAt);
  const attachment: AttachmentOptions = {
    name: FACTUR_X_FILENAME,
    type: 'text/xml',
    description: `Factur-X ${FACTUR_X_PROFILE.conformanceLevel} — ${heading}`,
    creationDate: issued,
    modifiedDate: issued,
    relationship: 'Alternative',
  };
  pdf.doc.file(Buffer.from(xml, 'utf8'), attachment);
  pdf.doc.appendXML(facturXmp(FACTUR_X_PROFILE.conformanceLevel));
  return pdf.end();
}

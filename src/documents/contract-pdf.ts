/**
 * The contract documents as PDFs (PDF/A-3b, fonts embedded), attached to the first email after an order: the CGV
 * accepted, the order recap, the withdrawal information with the model form.
 */
import { cgvDocument, orderRecap, type CgvInput, type ConsentRecord, type OrderFacts } from './contract';
import { createPdf, type Pdf } from './pdf';
import type { DocumentSeller, WithdrawalAfterStart } from './types';
import { withdrawalForm, withdrawalInformation, type WithdrawalForm, type WithdrawalInformation } from './withdrawal';

export async function cgvPdf(input: CgvInput): Promise<Buffer> {
  const cgv = cgvDocument(input);
  const pdf = createPdf({ title: cgv.title, createdAt: cgv.shownSince, footer: `${cgv.title} — version ${cgv.version}` });
  pdf.paragraph(cgv.versionLabel, { muted: true, size: 8.5 });
  pdf.facts(cgv.seller, 90);
  pdf.rule().space(0.5);
  for (const block of cgv.blocks) {
    if (block.kind === 'title') pdf.title(block.text);
    else if (block.kind === 'heading') pdf.heading(block.text);
    else if (block.kind === 'bullets') pdf.bullets(block.items);
    else pdf.paragraph(block.text);
  }
  return pdf.end();
}

export async function orderRecapPdf(args: {
  order: OrderFacts;
  seller: DocumentSeller;
  consents: readonly ConsentRecord[];
  withdrawalAfterStart?: WithdrawalAfterStart;
}): Promise<Buffer> {
  const recap = orderRecap(args);
  const pdf = createPdf({
    title: `${recap.title} ${recap.reference}`.replace(/[<>&]/g, ' '),
    createdAt: recap.orderedAt,
    footer: `${args.seller.name} — commande ${recap.reference}`,
  });
  pdf.title(recap.title);
  pdf.heading('Prestataire').facts(recap.seller);
  pdf.heading('Client').facts(recap.client);
  pdf.heading('Commande').facts(recap.order);
  pdf.heading('Paiement').facts(recap.payment);
  pdf.heading('Vos engagements, cochés lors de la commande');
  for (const a of recap.acknowledgments) {
    pdf.paragraph(a.heading, { bold: true });
    pdf.paragraph(`☑ ${a.wording}`);
    pdf.paragraph(a.ticked, { muted: true, size: 8.5 });
  }
  pdf.heading('Conditions générales de vente acceptées').facts(recap.cgv);
  information(pdf, recap.withdrawal);
  return pdf.end();
}

export async function withdrawalFormPdf(args: {
  seller: DocumentSeller;
  withdrawalAfterStart?: WithdrawalAfterStart;
  /** For one order: the same information with its dates. */
  order?: { orderedOn: string; withdrawalEndsAt: string };
  /** The PDF's own dates (default: now); the form itself is dated by the consumer. */
  createdAt?: string;
}): Promise<Buffer> {
  const info = withdrawalInformation({ seller: args.seller, afterStart: args.withdrawalAfterStart, order: args.order });
  const pdf = createPdf({
    title: 'Formulaire de rétractation',
    createdAt: args.createdAt ?? new Date().toISOString(),
    footer: `${args.seller.name} — rétractation`,
  });
  information(pdf, info);
  pdf.pageBreak();
  form(pdf, withdrawalForm(args.seller));
  return pdf.end();
}

function information(pdf: Pdf, info: WithdrawalInformation): void {
  pdf.space(0.5).title(info.title);
  for (const s of info.sections) {
    pdf.heading(s.heading);
    for (const p of s.paragraphs) pdf.paragraph(p);
  }
}

function form(pdf: Pdf, f: WithdrawalForm): void {
  pdf.title(f.title);
  pdf.paragraph(f.instruction, { muted: true });
  pdf.space(0.5).paragraph(f.addressee, { bold: true });
  pdf.paragraph(f.statement);
  pdf.space(0.5);
  for (const field of f.fields) pdf.field(field.label, field.lines);
  pdf.paragraph(f.footnote, { muted: true, size: 8.5 });
}

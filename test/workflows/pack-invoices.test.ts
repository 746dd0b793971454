/**
 * Invoices and credit notes from the pack's workflow (issue 14, points 1 and 6), on the time-skipping server: each
 * asked for once by the business event that calls for it, through the idempotent issuing activity, so that a retried
 * activity issues no second document; a pack paid before invoices existed gets its invoice once, when it next wakes.
 * (Replaying the histories of packs started before this change, unchanged, is test/workflows/replay.test.ts.)
 */
import crypto from 'node:crypto';
import { Context } from '@temporalio/activity';
import type { Activities } from '../../src/activities';
import { getPackState, packWorkflowId, paymentReceived, refundClient, withdraw } from '../../src/shared/pack';
import { DEFAULT_SETTINGS, expiryOf } from '../../src/shared/policy';
import { initialData } from '../../src/workflows/pack/model';
import type { packWorkflow } from '../../src/workflows/pack/workflow';
import { createPackWorld, saveHistory, timeline, type PackWorld } from '../support/packs';
import { DAY } from '../support/time';
import { until } from '../support/until';

/** Each call of the issuing activity, and whether its first attempt is made to fail after the document is stored. */
const calls: Array<{ key: string; attempt: number }> = [];
let failFirstAttemptAfterIssuing = false;

describe('documents issued by the pack’s life', () => {
  let w: PackWorld;
  beforeAll(async () => {
    w = await createPackWorld({
      wrap: (a: Activities): Activities => ({
        ...a,
        async issueDocument(r) {
          const { attempt } = Context.current().info;
          calls.push({ key: r.key, attempt });
          const issued = await a.issueDocument(r);
          // As a worker killed right after the commit: the document is stored, the workflow never heard of it.
          if (failFirstAttemptAfterIssuing && attempt === 1) throw new Error('worker lost after issuing');
          return issued;
        },
      }),
    });
  });
  afterAll(async () => {
    await w?.teardown();
  });

  const documents = (packId: string) => w.db.prisma.invoice.findMany({ where: { packId }, orderBy: { issuedAt: 'asc' } });

  test('a payment in full asks for its invoice once, ahead of its confirmation; a retried attempt issues no second one', async () => {
    failFirstAttemptAfterIssuing = true;
    try {
      const h = await w.order();
      const s = await w.pay(h);
      expect(s.status).toBe('ACTIVE');
      const key = `invoice:${s.packId}`;
      await until(
        () => timeline(w, s.packId),
        (t) => t.includes('INVOICE_ISSUED'),
        'the invoice on the timeline',
      );
      expect(calls.filter((c) => c.key === key).map((c) => c.attempt)).toEqual([1, 2]);
      const [invoice, ...more] = await documents(s.packId);
      expect(more).toEqual([]);
      expect(invoice).toMatchObject({ key, kind: 'invoice', inclVatCents: s.priceCents, paymentMethod: 'card' });
      // Its email carries it: the confirmation is recorded after the invoice, naming it.
      const confirmation = await w.db.prisma.outboxEmail.findFirstOrThrow({ where: { packId: s.packId, template: 'PAYMENT_CONFIRMED' } });
      expect(confirmation.attachments).toEqual([{ kind: 'document', ref: key }]);
      const events = await timeline(w, s.packId);
      expect(events.filter((e) => e === 'INVOICE_ISSUED')).toHaveLength(1);
      await saveHistory(w, h, 'invoice-on-payment');
    } finally {
      failFirstAttemptAfterIssuing = false;
    }
  });

  test('a part-payment asks for nothing; the payment that completes the price asks for the invoice', async () => {
    const h = await w.order({ paymentMethod: 'bank_transfer' });
    const s0 = await w.state(h);
    await w.pay(h, { amountCents: 4_000 });
    await until(
      () => timeline(w, s0.packId),
      (t) => t.includes('PAYMENT_INCOMPLETE'),
      'the part-payment recorded',
    );
    expect(await documents(s0.packId)).toEqual([]);
    await w.pay(h, { amountCents: s0.priceCents - 4_000 });
    await until(
      () => documents(s0.packId),
      (d) => d.length === 1,
      'the invoice',
    );
  });

  test('a withdrawal’s refund gets a credit note on the invoice; a refunded double payment gets none', async () => {
    const h = await w.order();
    const s = await w.pay(h);
    await until(
      () => documents(s.packId),
      (d) => d.length === 1,
      'the invoice',
    );
    // The same money twice (another payment of a paid pack) is refunded: no invoice covers it.
    await w.pay(h, { key: crypto.randomUUID() });
    await until(
      () => timeline(w, s.packId),
      (t) => t.includes('UNEXPECTED_PAYMENT_REFUNDED') && t.includes('REFUND_ISSUED'),
      'the refund',
    );
    await h.executeUpdate(withdraw);
    const [invoice, credit, ...more] = await until(
      () => documents(s.packId),
      (d) => d.length >= 2,
      'the credit note',
    );
    expect(more).toEqual([]);
    expect(credit).toMatchObject({
      kind: 'credit_note',
      corrects: invoice.number,
      inclVatCents: s.priceCents,
      key: expect.stringMatching(/^credit:withdrawal:/),
    });
    // The credit note's event (and its email) is recorded after the document is stored.
    await until(
      () => timeline(w, s.packId),
      (t) => t.includes('CREDIT_NOTE_ISSUED'),
      'the credit note on the timeline',
    );
    await w.mailsSettled(s.packId);
    const email = await w.db.prisma.outboxEmail.findFirstOrThrow({ where: { packId: s.packId, template: 'DOCUMENT_ISSUED' } });
    expect([email.subject, email.status, email.attachments]).toEqual([
      `Votre avoir ${credit.number}`,
      'SENT',
      [{ kind: 'document', ref: credit.key }],
    ]);
    await saveHistory(w, h, 'credit-note-on-withdrawal');
  });

  test('the provider’s commercial gesture is refunded and credited once; a later withdrawal refunds and credits the rest only', async () => {
    const h = await w.order({ quantity: 2 });
    const s = await w.pay(h);
    await until(
      () => documents(s.packId),
      (d) => d.length === 1,
      'the invoice',
    );
    const granted = await h.executeUpdate(refundClient, { args: [{ amountCents: 5_000, reason: 'GOODWILL' }] });
    expect(granted).toEqual({ refund: { reason: 'GOODWILL', amountCents: 5_000, method: 'card' } });
    await until(
      () => documents(s.packId),
      (d) => d.length === 2,
      'the gesture’s credit note',
    );
    await h.executeUpdate(withdraw);
    const [invoice, gesture, withdrawal, ...more] = await until(
      () => documents(s.packId),
      (d) => d.length >= 3,
      'the withdrawal’s credit note',
    );
    expect(more).toEqual([]);
    expect([invoice.inclVatCents, gesture.inclVatCents, withdrawal.inclVatCents]).toEqual([s.priceCents, 5_000, s.priceCents - 5_000]);
    expect([gesture.corrects, withdrawal.corrects]).toEqual([invoice.number, invoice.number]);
    const refunds = await w.db.prisma.refund.findMany({ where: { packId: s.packId }, orderBy: { createdAt: 'asc' } });
    expect(refunds.map((r) => r.amountCents)).toEqual([5_000, s.priceCents - 5_000]);
    await until(
      () => timeline(w, s.packId),
      (t) => t.filter((x) => x === 'CREDIT_NOTE_ISSUED').length === 2,
      'both credit notes on the timeline',
    );
    await w.mailsSettled(s.packId);
    await saveHistory(w, h, 'goodwill-then-withdrawal');
  });

  test('a pack paid before invoices existed gets its invoice once, when it next wakes', async () => {
    // A pack of that time: paid, ACTIVE, its state without an invoice — as a history from before this change carries it.
    const h0 = await w.order();
    const s0 = await w.state(h0);
    await h0.terminate('replaced by the same pack as it was before invoices');
    const paidAtMs = (await w.now()) - 3 * DAY;
    const data = {
      ...initialData(),
      status: 'ACTIVE' as const,
      paidAtMs,
      paidCents: s0.priceCents,
      expiresAtMs: expiryOf(paidAtMs, DEFAULT_SETTINGS),
      payments: [
        {
          method: 'card' as const,
          amountCents: s0.priceCents,
          reference: 'pi_before_invoices',
          paidAt: new Date(paidAtMs).toISOString(),
          idempotencyKey: 'before-invoices',
          outcome: 'ACCEPTED' as const,
        },
      ],
      seq: 2,
    };
    const input = {
      packId: s0.packId,
      packCode: s0.packCode,
      quantity: 1,
      totalHours: 1,
      sessionHours: 1,
      breakMinutes: 0,
      priceCents: s0.priceCents,
      currency: 'EUR' as const,
      paymentMethod: 'card' as const,
      orderedAtMs: Date.parse(s0.orderedAt),
      settings: DEFAULT_SETTINGS,
    };
    const h = await w.env.client.workflow.start<typeof packWorkflow>('packWorkflow', {
      workflowId: `${packWorkflowId(s0.packId)}-before-invoices`,
      taskQueue: w.taskQueue,
      args: [{ input, carried: { data, effects: [], mailPending: false } }],
    });
    const [invoice] = await until(
      () => documents(s0.packId),
      (d) => d.length === 1,
      'the invoice of a pack paid before invoices',
    );
    expect(invoice).toMatchObject({ kind: 'invoice', paymentReference: 'pi_before_invoices', inclVatCents: s0.priceCents });
    expect((invoice.document as { payment: { paidAt: string } }).payment.paidAt).toBe(new Date(paidAtMs).toISOString());
    // It wakes again (the same payment signalled twice is ignored): no second invoice.
    await h.signal(paymentReceived, {
      method: 'card',
      amountCents: s0.priceCents,
      reference: 'pi_before_invoices',
      paidAt: new Date(paidAtMs).toISOString(),
      idempotencyKey: 'before-invoices',
    });
    await w.env.sleep(DAY);
    await until(
      () => h.query(getPackState),
      (s) => s.status === 'ACTIVE',
      'the pack after another wake',
    );
    expect(await documents(s0.packId)).toHaveLength(1);
    expect(calls.filter((c) => c.key === `invoice:${s0.packId}`)).toHaveLength(1);
    // Its client receives it by an email of its own: the payment's confirmation went long before.
    await until(
      () => w.db.prisma.outboxEmail.findMany({ where: { packId: s0.packId, template: 'DOCUMENT_ISSUED' } }),
      (m) => m.length === 1 && m[0].status === 'SENT',
      'the invoice’s email',
    );
    await h.terminate('end of test');
  });
});

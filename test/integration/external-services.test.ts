import { createMailer } from '../../src/infra/mailer';
import type { SmtpSink } from '../../src/infra/smtp-sink';
import { createTestDatabase, startSmtpSink, testStripe, type TestDatabase } from '../support/stack';

describe('real services of the local stack', () => {
  let sink: SmtpSink;
  let db: TestDatabase;
  beforeAll(async () => {
    [sink, db] = await Promise.all([startSmtpSink(), createTestDatabase()]);
  });
  afterAll(async () => {
    await sink?.stop();
    await db?.drop();
  });

  test('nodemailer delivers a French HTML and text email to the SMTP sink, which reads it back', async () => {
    const mailer = createMailer(sink.url);
    await mailer.sendMail({
      from: 'imaginasite <contact@imaginasite.com>',
      to: 'cliente@example.org',
      subject: 'Votre commande est bien reçue',
      text: 'Bonjour, merci pour votre commande.',
      html: '<p>Bonjour, merci pour votre <strong>commande</strong>.</p>',
    });
    const msg = await sink.waitFor((m) => m.to.includes('cliente@example.org'));
    expect(msg.subject).toBe('Votre commande est bien reçue');
    expect(msg.text).toContain('merci pour votre commande');
    expect(msg.html).toContain('<strong>commande</strong>');
  });

  test('the Stripe SDK creates a Checkout Session against stripe-mock', async () => {
    const session = await testStripe().checkout.sessions.create({
      mode: 'payment',
      success_url: 'http://localhost:3000/merci',
      cancel_url: 'http://localhost:3000/annule',
      client_reference_id: 'order-1',
      line_items: [{ quantity: 1, price_data: { currency: 'eur', unit_amount: 9000, product_data: { name: 'Pack 1 heure' } } }],
      metadata: { orderId: 'order-1' },
    });
    expect(session.object).toBe('checkout.session');
    expect(session.id).toMatch(/^cs_/);
  });

  test('Prisma reads PostgreSQL catalog types through the pg adapter (workaround for prisma/orm#27403)', async () => {
    const rows = await db.prisma.$queryRaw<Array<{ typname: string; typtype: string }>>`
      SELECT typname, typtype FROM pg_type WHERE typname = 'int4'`;
    expect(rows).toEqual([{ typname: 'int4', typtype: 'b' }]);
  });

  test('an interactive transaction rolls back on error', async () => {
    await expect(
      db.prisma.$transaction(async (tx) => {
        await tx.customer.create({ data: { id: '00000000-0000-4000-8000-00000000dead', name: 'Rollback', email: 'rollback@example.org' } });
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    expect(await db.prisma.customer.findUnique({ where: { id: '00000000-0000-4000-8000-00000000dead' } })).toBeNull();
  });
});

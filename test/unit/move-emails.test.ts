/**
 * What the client and the provider read after a move (src/activities/emails/templates.ts): a move the provider must
 * still confirm says so to both, the provider's email links to the pack's page where confirm and decline are, and a
 * move that stays confirmed says that. A moved request the provider declines withdraws its tentative invite.
 */
import { renderEmail, type MailContext } from '../../src/activities/emails/templates';
import type { EmailTemplate } from '../../src/shared/emails';

const moved = {
  bookingId: 'b',
  from: '2027-03-10T10:00:00.000Z',
  start: '2027-03-12T10:00:00.000Z',
  end: '2027-03-12T11:00:00.000Z',
  hours: 1,
};

function render(template: EmailTemplate, type: string, data: Record<string, unknown>) {
  const ctx: MailContext = {
    template,
    event: { type, atMs: Date.parse('2027-03-01T09:00:00Z'), data },
    pack: {
      id: 'pack-42',
      label: 'Pack 1 heure',
      totalHours: 2,
      priceCents: 18_000,
      paymentMethod: 'card',
      bankReference: 'IMG-ABCDEFGH',
      paymentDeadline: new Date('2027-03-08T09:00:00Z'),
      expiresAt: new Date('2027-06-01T09:00:00Z'),
      hoursAvailable: 1,
    },
    customer: { name: 'Zoé Martin', email: 'zoe@example.org' },
    settings: {
      publicUrl: 'https://www.imaginasite.com',
      zoomUrl: 'https://zoom.us/j/123',
      timezone: 'Europe/Paris',
      bank: { iban: 'FR76 3000 6000 0112 3456 7890 189', bic: 'AGRIFRPPXXX', holder: 'imaginasite' },
    },
    portalUrl: 'https://www.imaginasite.com/espace?token=abc',
  };
  return renderEmail(ctx);
}

describe('emails after a move', () => {
  test('a move awaiting the provider tells the client the new time waits for confirmation and the former one is freed', () => {
    const m = render('BOOKING_RESCHEDULED', 'BOOKING_RESCHEDULED', { ...moved, status: 'REQUESTED', by: 'client' });
    expect(m.subject).toBe('Séance déplacée au vendredi 12 mars 2027 à 11h00 : en attente de confirmation');
    expect(m.text).toContain('est déplacée au vendredi 12 mars 2027 à 11h00, sans frais');
    expect(m.text).toContain('en attente de confirmation par le prestataire');
    expect(m.text).toContain("L'ancien créneau du mercredi 10 mars 2027 à 11h00 est libéré");
    expect(m.ics).toBe('REQUEST');
  });

  test('a move awaiting the provider asks the provider to confirm it, with the link to the pack’s page', () => {
    const m = render('PROVIDER_BOOKING_RESCHEDULED', 'BOOKING_RESCHEDULED', { ...moved, status: 'REQUESTED', by: 'client' });
    expect(m.subject).toBe('Déplacement à confirmer : Zoé Martin, vendredi 12 mars 2027 à 11h00');
    expect(m.text).toContain('attend votre confirmation');
    expect(m.text).toContain('À confirmer ou refuser dans le tableau de bord : https://www.imaginasite.com/admin/packs/pack-42');
  });

  test('a move that stays confirmed says so, to the client and to the provider', () => {
    const client = render('BOOKING_RESCHEDULED', 'BOOKING_RESCHEDULED', { ...moved, status: 'CONFIRMED', by: 'client' });
    expect(client.subject).toBe('Séance déplacée au vendredi 12 mars 2027 à 11h00');
    expect(client.text).toContain('Elle est confirmée.');
    expect(client.text).not.toContain('attente');
    const provider = render('PROVIDER_BOOKING_RESCHEDULED', 'BOOKING_RESCHEDULED', { ...moved, status: 'CONFIRMED', by: 'provider' });
    expect(provider.text).toContain('déplacée au vendredi 12 mars 2027 à 11h00 par vous ; elle reste confirmée');
  });

  test('a declined moved request cancels its tentative invite; a declined first request has none to cancel', () => {
    const withdrawn = render('BOOKING_DECLINED', 'BOOKING_DECLINED', { ...moved, status: 'DECLINED', cancelsInvite: true });
    expect(withdrawn.ics).toBe('CANCEL');
    expect(withdrawn.text).toContain('retirée de votre agenda');
    expect(render('BOOKING_DECLINED', 'BOOKING_DECLINED', { ...moved, status: 'DECLINED' }).ics).toBeUndefined();
  });
});

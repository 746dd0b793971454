import { createLogger, redact } from '../../src/infra/log';

describe('logs carry no personal data', () => {
  test.each([
    ['Invalid recipient camille.martin@example.org (550)', 'Invalid recipient [email] (550)'],
    ['appel au 06 12 34 56 78 ou +33 6 12 34 56 78', 'appel au [phone] ou [phone]'],
    ['IBAN FR76 3000 6000 0112 3456 7890 189 refusé', 'IBAN [iban] refusé'],
    ['Authorization: Bearer eyJwIjoiNTdhMzZiMDkiLCJlIjoxfQ.abcdefghijkl', 'Authorization: Bearer [secret]'],
    ['/espace?token=eyJwIjoiNTdhMzZiMDkiLCJlIjoxfQ.abcdef', '/espace?token= [secret]'],
  ])('%s → %s', (input, expected) => {
    expect(redact(input)).toBe(expected);
  });

  test('ids, amounts and dates are kept', () => {
    const line = 'pack 57a36b09-35e9-4dc2-a63d-e3f9fe1912ae paid 24000 cents at 2026-11-26T10:53:55.271Z';
    expect(redact(line)).toBe(line);
  });

  test('a structured log line is JSON, with the message and every field redacted, errors included', () => {
    const lines: string[] = [];
    const log = createLogger('test', 'info', (l) => lines.push(l));
    log.error('delivery to jean@example.org failed', {
      to: 'jean@example.org',
      nested: { phone: '0612345678' },
      error: new Error('550 jean@example.org unknown'),
    });
    log.debug('not written below the level', { x: 1 });
    expect(lines).toHaveLength(1);
    const entry = JSON.parse(lines[0]);
    expect(entry).toMatchObject({
      level: 'error',
      component: 'test',
      message: 'delivery to [email] failed',
      to: '[email]',
      nested: { phone: '[phone]' },
    });
    expect(entry.error.message).toBe('550 [email] unknown');
    expect(lines[0]).not.toContain('jean@example.org');
  });
});

import nodemailer, { type Transporter } from 'nodemailer';

export type Mailer = Transporter;

// nodemailer's own parser of connection URLs (smtp://user:pass@host:port/?option=value).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { parseConnectionUrl } = require('nodemailer/lib/shared') as { parseConnectionUrl(url: string): Record<string, unknown> };

/**
 * One SMTP transport per process, keeping a few connections open between emails (no connection and greeting per
 * email). Timeouts are short so a dead SMTP server fails an activity attempt quickly and it retries.
 * (The options must sit beside the parsed URL: given a URL, nodemailer reads nothing else from its arguments.)
 */
export function createMailer(smtpUrl: string): Mailer {
  return nodemailer.createTransport({
    ...parseConnectionUrl(smtpUrl),
    pool: true,
    maxConnections: 5,
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 20_000,
  } as nodemailer.TransportOptions);
}

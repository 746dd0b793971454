import nodemailer, { type Transporter } from 'nodemailer';

export type Mailer = Transporter;

/** One SMTP transport per process. Timeouts are short so a dead SMTP server fails an activity attempt quickly and it retries. */
export function createMailer(smtpUrl: string): Mailer {
  return nodemailer.createTransport(smtpUrl, {
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 20_000,
  } as nodemailer.TransportOptions);
}

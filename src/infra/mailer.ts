import net from 'node:net';
import nodemailer, { type Transporter } from 'nodemailer';

export type Mailer = Transporter;

// nodemailer's own parser of connection URLs (smtp://user:pass@host:port/?option=value).
// Not in @types/nodemailer, hence the require and its declared shape.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { parseConnectionUrl } = require('nodemailer/lib/shared') as {
  parseConnectionUrl: (this: void, url: string) => Record<string, unknown>;
};

const CONNECTION_TIMEOUT_MS = 10_000;

/**
 * Opens the SMTP connection with Nagle's algorithm off: SMTP is a conversation of small writes, and with it on each
 * email waited about 50 ms for the server's delayed acknowledgments (measured for the benchmark, README "Performance").
 */
function socketWithoutDelay(
  options: { host?: string; port?: number },
  callback: (err: Error | null, socket?: { connection: net.Socket } | false) => void,
): void {
  const socket = net.connect({ host: options.host ?? 'localhost', port: options.port ?? 25 });
  socket.setNoDelay(true);
  // If this connection fails, nodemailer is left to connect by itself and to report the failure its own way (an error
  // handed back from here left its pool stuck once the server was back: measured, sends waited forever).
  const giveUp = () => {
    clearTimeout(timer);
    socket.destroy();
    callback(null, false);
  };
  const timer = setTimeout(giveUp, CONNECTION_TIMEOUT_MS);
  socket.once('error', giveUp);
  socket.once('connect', () => {
    clearTimeout(timer);
    socket.removeListener('error', giveUp);
    callback(null, { connection: socket });
  });
}

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
    getSocket: socketWithoutDelay,
    connectionTimeout: CONNECTION_TIMEOUT_MS,
    greetingTimeout: 10_000,
    socketTimeout: 20_000,
  } as nodemailer.TransportOptions);
}

import fs from 'node:fs';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/**
 * A real SMTP server that keeps what it receives: the local stack's mail catcher and the tests' inbox.
 * Messages are kept in memory and, when `dir` is given, written there as .eml files.
 */
export interface SinkMessage {
  to: string[];
  from: string;
  subject: string;
  text: string;
  html: string;
  raw: string;
  parsed: ParsedMail;
  receivedAt: Date;
}

export class SmtpSink {
  readonly messages: SinkMessage[] = [];
  private waiters: Array<() => void> = [];
  private server?: SMTPServer;
  port = 0;

  constructor(private readonly opts: { dir?: string; host?: string } = {}) {}

  async start(port = 0): Promise<this> {
    this.server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      disableReverseLookup: true, // no DNS round trip per connection on a loopback sink
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          const raw = Buffer.concat(chunks);
          simpleParser(raw)
            .then((parsed) => {
              this.store(
                raw,
                parsed,
                session.envelope.rcptTo.map((r) => r.address),
              );
              callback();
            })
            .catch((err: Error) => callback(err));
        });
      },
    });
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(port, this.opts.host ?? '127.0.0.1', () => resolve());
    });
    this.port = (this.server.server.address() as AddressInfo).port;
    return this;
  }

  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  private store(raw: Buffer, parsed: ParsedMail, rcpt: string[]): void {
    const msg: SinkMessage = {
      to: rcpt,
      from: parsed.from?.text ?? '',
      subject: parsed.subject ?? '',
      text: parsed.text ?? '',
      html: typeof parsed.html === 'string' ? parsed.html : '',
      raw: raw.toString('utf8'),
      parsed,
      receivedAt: new Date(),
    };
    this.messages.push(msg);
    if (this.opts.dir) {
      fs.mkdirSync(this.opts.dir, { recursive: true });
      const name = `${msg.receivedAt.toISOString().replace(/[:.]/g, '-')}-${this.messages.length}.eml`;
      fs.writeFileSync(path.join(this.opts.dir, name), raw);
    }
    for (const w of this.waiters.splice(0)) w();
  }

  /** Resolves with the first message matching `pred`, waiting up to `timeoutMs` for it to arrive. */
  async waitFor(pred: (m: SinkMessage) => boolean, timeoutMs = 15_000): Promise<SinkMessage> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.messages.find(pred);
      if (found) return found;
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new Error(`no matching email within ${timeoutMs} ms; received: ${JSON.stringify(this.messages.map((m) => m.subject))}`);
      }
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

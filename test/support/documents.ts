// What the document tests read PDFs with: the Mustang project's validator (provisioned by scripts/provision.mjs,
// reached through MUSTANG_VALIDATOR_PATH) for Factur-X invoices, and pdf-parse for the text of any PDF.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { convert } from 'xmlbuilder2';

const run = promisify(execFile);

export interface ValidatorMessage {
  severity: 'error' | 'warning' | 'notice' | 'exception';
  text: string;
}

export interface ValidatorVerdict {
  name: string;
  /** Both parts passed: the PDF/A (veraPDF) and the XML (schema, EN 16931 and Factur-X schematron). */
  valid: boolean;
  pdf: 'valid' | 'invalid' | 'absent';
  xml: 'valid' | 'invalid' | 'absent';
  /** The profile the validator recognised, e.g. urn:cen.eu:en16931:2017. */
  profile?: string;
  /** veraPDF's line, e.g. « ValidationResult [flavour=3b, totalAssertions=3001, assertions=[], isCompliant=true] ». */
  pdfa?: string;
  messages: ValidatorMessage[];
  /** Mustang's whole XML report, for a failure message. */
  report: string;
}

/** One JVM for all the files: its start and veraPDF's (about 3 s) are the bulk of a run. */
export async function validateWithMustang(
  files: ReadonlyArray<{ name: string; pdf: Buffer }>,
  { timeoutMs = 90_000 }: { timeoutMs?: number } = {},
): Promise<ValidatorVerdict[]> {
  const validator = process.env.MUSTANG_VALIDATOR_PATH;
  if (!validator)
    throw new Error('MUSTANG_VALIDATOR_PATH is not set: run the tests through `npm test` (scripts/provision.mjs provides it)');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'imaginasite-mustang-'));
  try {
    const paths = files.map((f, i) => {
      const p = path.join(dir, `${String(i).padStart(2, '0')}-${f.name.replace(/[^\w.-]/g, '_')}.pdf`);
      fs.writeFileSync(p, f.pdf);
      return p;
    });
    // Exit status 1 means "some file invalid": the reports say which, so only a missing report is a failure here.
    await run(validator, paths, { timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 16 * 1024 * 1024 }).catch((err: unknown) => {
      const code = (err as { code?: unknown }).code;
      if (code !== 1) throw err;
    });
    return paths.map((p, i) => parseReport(files[i].name, fs.readFileSync(`${p}.validation.xml`, 'utf8')));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** The validator's verdict on one PDF (a batch through `validateWithMustang` costs one JVM start for all). */
export async function mustangVerdict(pdf: Buffer, name = 'document'): Promise<ValidatorVerdict> {
  const [verdict] = await validateWithMustang([{ name, pdf }]);
  return verdict;
}

type XmlObject = { [key: string]: XmlValue };
type XmlValue = string | XmlObject | XmlValue[];
const list = (v: XmlValue | undefined): XmlValue[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
const obj = (v: XmlValue | undefined): XmlObject => (v && typeof v === 'object' && !Array.isArray(v) ? v : {});
const text = (v: XmlValue | undefined): string =>
  typeof v === 'string' ? v : Array.isArray(v) ? v.map(text).join(' ') : v ? text(v['#']) : '';
const status = (part: XmlObject | undefined): 'valid' | 'invalid' | 'absent' => {
  if (!part) return 'absent';
  return text(obj(part.summary)['@status']) === 'valid' ? 'valid' : 'invalid';
};

/** Mustang's report: <validation><pdf>…<summary status/></pdf><xml>…<summary status/></xml><summary status/></validation>. */
export function parseReport(name: string, report: string): ValidatorVerdict {
  const root = obj(obj(convert(report, { format: 'object' })).validation);
  const pdf = root.pdf === undefined ? undefined : obj(root.pdf);
  const xml = root.xml === undefined ? undefined : obj(root.xml);
  const messages: ValidatorMessage[] = [];
  for (const part of [pdf, xml, root]) {
    const m = obj(part?.messages);
    for (const severity of ['error', 'warning', 'notice', 'exception'] as const) {
      for (const item of list(m[severity])) messages.push({ severity, text: text(item).trim() });
    }
  }
  const verdict = { pdf: status(pdf), xml: status(xml), overall: text(obj(root.summary)['@status']) };
  const pdfa = pdf ? text(pdf['#']).trim() : undefined;
  const profile = xml ? text(obj(xml.info).profile).trim() : undefined;
  return {
    name,
    valid: verdict.pdf === 'valid' && verdict.xml === 'valid' && verdict.overall === 'valid',
    pdf: verdict.pdf,
    xml: verdict.xml,
    ...(profile ? { profile } : {}),
    ...(pdfa ? { pdfa } : {}),
    messages,
    report,
  };
}

// pdf.js (inside pdf-parse) sets up its worker with a dynamic import(), which jest's CommonJS module system cannot
// run (« A dynamic import callback was invoked without --experimental-vm-modules »); a plain Node process can, so the
// text is read there: one process for all the PDFs.
const EXTRACT = `
const { PDFParse } = require('pdf-parse');
const fs = require('node:fs');
(async () => {
  const out = [];
  for (const file of process.argv.slice(1)) {
    const parser = new PDFParse({ data: new Uint8Array(fs.readFileSync(file)) });
    const result = await parser.getText();
    const info = await parser.getInfo();
    out.push({ text: result.text, pages: result.pages.map((p) => p.text), info: info.info });
    await parser.destroy();
  }
  process.stdout.write(JSON.stringify(out));
})().catch((err) => { console.error(err); process.exit(1); });
`;

export interface PdfContent {
  /** The text of every page, as pdf.js reads it, with pdf-parse's « -- 1 of 2 -- » between pages. */
  text: string;
  /** Each page's text. */
  pages: string[];
  /** The pages' text without their footer (« … — page 1/2 », drawn last on each page), so a paragraph cut by a page
   * break reads on. */
  body: string;
  /** The document information dictionary (Title, Producer…). */
  info: Record<string, unknown>;
}

export async function readPdfs(pdfs: readonly Buffer[], { timeoutMs = 30_000 } = {}): Promise<PdfContent[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'imaginasite-pdf-'));
  try {
    const files = pdfs.map((pdf, i) => {
      const p = path.join(dir, `${i}.pdf`);
      fs.writeFileSync(p, pdf);
      return p;
    });
    const { stdout } = await run(process.execPath, ['-e', EXTRACT, ...files], {
      cwd: path.resolve(__dirname, '../..'),
      timeout: timeoutMs,
      maxBuffer: 64 * 1024 * 1024,
    });
    const raw = JSON.parse(stdout) as Array<Omit<PdfContent, 'body'>>;
    return raw.map((c) => ({ ...c, body: c.pages.map((p) => p.replace(/\n[^\n]* — page \d+\/\d+\s*$/, '')).join('\n') }));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Whitespace folded to single spaces: a PDF's lines break where the page does, not where the text did. A line
 * ending in a hyphen was broken after it (« c'est-à-\ndire »): it joins without a space.
 */
export const flat = (s: string): string =>
  s
    .replace(/-\n\s*/g, '-')
    .replace(/\s+/g, ' ')
    .trim();

/**
 * What every PDF of this module shares: PDF/A-3b (ISO 19005-3, an archival PDF that may carry attached files) made
 * by PDFKit, with its XMP identification and sRGB output intent, in DejaVu Sans embedded from the npm package
 * `dejavu-fonts-ttf` (PDF/A wants every font embedded: PDFKit's standard 14 fonts are not), and a few layout
 * helpers. The PDF is reproducible: its dates are the document's own, so the same facts give the same bytes.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import PDFDocument from 'pdfkit';

const FONT_FILES = {
  regular: 'dejavu-fonts-ttf/ttf/DejaVuSans.ttf',
  bold: 'dejavu-fonts-ttf/ttf/DejaVuSans-Bold.ttf',
} as const;
type FontName = keyof typeof FONT_FILES;

/** A run of glyphs as fontkit lays a text out: PDFKit scales its positions in place, so each caller gets its own. */
interface GlyphRun {
  glyphs: unknown[];
  positions: Array<Record<string, number>>;
}

/** A font as PDFKit's own engine (fontkit) parses it: PDFKit takes such an object wherever it takes a font file. */
interface ParsedFont {
  layout(text: string, features?: unknown): GlyphRun;
  getGlyph(id: number, characters?: number[]): { codePoints: number[] } | null;
}

/** Words laid out and kept, per font: shaping (OpenType lookups) was most of a document's rendering. */
const LAYOUT_CACHE_LIMIT = 20_000;

/**
 * fontkit, the very copy PDFKit loads (a dependency of PDFKit's, resolved from it): one parsed font serves every
 * document. Given the file, PDFKit parsed both fonts again for each PDF, half of a document's rendering (measured:
 * 50 → 25 ms an invoice); each document still embeds its own subset.
 */
const fontkit = createRequire(require.resolve('pdfkit'))('fontkit') as {
  create(data: Buffer): ParsedFont;
};

/**
 * fontkit keeps each glyph with the characters it was first asked for. Within one document a glyph is always laid out
 * (with its character) before the subset adds the parts of composite glyphs (without any), but across documents a
 * part may come first: « À » embedded makes an « A » without its character, and the next document's « A » would
 * then carry no text (its ToUnicode entry empty: copy, search and extraction lose it). A glyph asked for with its
 * characters gets them.
 */
function shared(font: ParsedFont): ParsedFont {
  // PDFKit lays a text out word by word (a cache per document); the words of one document are mostly those of the
  // last: each word is shaped once per process, and every document gets a copy of the run, whose positions PDFKit
  // scales. The same text with the same font gives the same run, so the PDF's bytes do not change.
  const layout = font.layout.bind(font);
  const runs = new Map<string, GlyphRun>();
  font.layout = (text, features) => {
    if (features !== undefined) return layout(text, features);
    let run = runs.get(text);
    if (!run) {
      run = layout(text);
      if (runs.size >= LAYOUT_CACHE_LIMIT) runs.clear();
      runs.set(text, run);
    }
    return Object.assign(Object.create(Object.getPrototypeOf(run) as object) as GlyphRun, run, {
      positions: run.positions.map((p) => Object.assign(Object.create(Object.getPrototypeOf(p) as object) as Record<string, number>, p)),
    });
  };
  const getGlyph = font.getGlyph.bind(font);
  font.getGlyph = (id, characters = []) => {
    const glyph = getGlyph(id, characters);
    if (glyph && glyph.codePoints.length === 0 && characters.length > 0) glyph.codePoints = characters;
    return glyph;
  };
  return font;
}

let fonts: Record<FontName, ParsedFont> | undefined;
function parsedFonts(): Record<FontName, ParsedFont> {
  fonts ??= {
    regular: shared(fontkit.create(fs.readFileSync(require.resolve(FONT_FILES.regular)))),
    bold: shared(fontkit.create(fs.readFileSync(require.resolve(FONT_FILES.bold)))),
  };
  return fonts;
}

export const PAGE = { size: 'A4' as const, margin: 56, fontSize: 10 };
export const COLORS = { text: '#1a1a1a', muted: '#555555', rule: '#999999' };

/** Only Title reaches XMP, unescaped by PDFKit: it must hold no XML markup (callers pass their own labels). */
export function createPdf(args: { title: string; createdAt: string; footer: string }): Pdf {
  if (/[<>&]/.test(args.title)) throw new RangeError('a PDF title holds no <, > or &');
  const created = new Date(args.createdAt);
  const f = parsedFonts();
  const doc = new PDFDocument({
    // No default font: PDFKit would load Helvetica's metrics for every document, to be replaced by ours at once.
    font: null as unknown as string,
    subset: 'PDF/A-3b',
    pdfVersion: '1.7',
    lang: 'fr-FR',
    size: PAGE.size,
    margin: PAGE.margin,
    bufferPages: true,
    info: { Title: args.title, Creator: 'imaginasite', Producer: 'imaginasite (PDFKit)', CreationDate: created, ModDate: created },
  });
  doc.registerFont('regular', f.regular as unknown as Buffer);
  doc.registerFont('bold', f.bold as unknown as Buffer);
  doc.font('regular').fontSize(PAGE.fontSize).fillColor(COLORS.text);
  return new Pdf(doc, args.footer);
}

/** A PDFKit document with the few shapes this module's documents are made of. */
export class Pdf {
  constructor(
    readonly doc: PDFKit.PDFDocument,
    private readonly footer: string,
  ) {}

  get width(): number {
    return this.doc.page.width - this.doc.page.margins.left - this.doc.page.margins.right;
  }

  title(text: string): this {
    this.doc.font('bold').fontSize(16).text(text).moveDown(0.4);
    this.doc.font('regular').fontSize(PAGE.fontSize);
    return this;
  }

  heading(text: string): this {
    this.keepWithNext(40);
    this.doc.moveDown(0.6).font('bold').fontSize(11.5).text(text).moveDown(0.25);
    this.doc.font('regular').fontSize(PAGE.fontSize);
    return this;
  }

  paragraph(text: string, options: { bold?: boolean; muted?: boolean; size?: number } = {}): this {
    this.doc
      .font(options.bold ? 'bold' : 'regular')
      .fontSize(options.size ?? PAGE.fontSize)
      .fillColor(options.muted ? COLORS.muted : COLORS.text)
      .text(text, { align: 'left', lineGap: 1.5 })
      .moveDown(0.35);
    this.doc.font('regular').fontSize(PAGE.fontSize).fillColor(COLORS.text);
    return this;
  }

  /** Items with a hanging indent: wrapped lines start under the text, not under the bullet. */
  bullets(items: readonly string[]): this {
    const x = this.doc.page.margins.left;
    for (const item of items) {
      this.keepWithNext(14);
      const y = this.doc.y;
      this.doc.text('•', x + 4, y, { lineBreak: false });
      this.doc.text(item, x + 16, y, { width: this.width - 16, lineGap: 1.5 });
      this.doc.x = x;
      this.doc.moveDown(0.15);
    }
    this.doc.moveDown(0.2);
    return this;
  }

  /** Label / value pairs, labels in bold in a first column; `alignValues: 'right'` for amounts. */
  facts(rows: ReadonlyArray<readonly [string, string]>, labelWidth = 150, alignValues: 'left' | 'right' = 'left'): this {
    const x = this.doc.page.margins.left;
    for (const [label, value] of rows) {
      this.keepWithNext(14);
      const y = this.doc.y;
      this.doc.font('bold').text(label, x, y, { width: labelWidth - 8 });
      const afterLabel = this.doc.y;
      this.doc.font('regular').text(value, x + labelWidth, y, { width: this.width - labelWidth, lineGap: 1, align: alignValues });
      this.doc.x = x;
      this.doc.y = Math.max(afterLabel, this.doc.y) + 3;
    }
    this.doc.moveDown(0.2);
    return this;
  }

  /** A table: widths in points, the first column left-aligned, the others right-aligned. */
  table(columns: ReadonlyArray<{ label: string; width: number }>, rows: ReadonlyArray<readonly string[]>): this {
    const x0 = this.doc.page.margins.left;
    const line = (cells: readonly string[], bold: boolean) => {
      this.keepWithNext(16);
      const y = this.doc.y;
      let x = x0;
      let bottom = y;
      cells.forEach((cell, i) => {
        const width = columns[i].width;
        this.doc.font(bold ? 'bold' : 'regular').text(cell, x + 2, y, { width: width - 4, align: i === 0 ? 'left' : 'right' });
        bottom = Math.max(bottom, this.doc.y);
        x += width;
      });
      this.doc.x = x0;
      this.doc.y = bottom + 3;
    };
    line(
      columns.map((c) => c.label),
      true,
    );
    this.rule();
    for (const r of rows) line(r, false);
    this.rule();
    this.doc.font('regular');
    return this;
  }

  rule(): this {
    const y = this.doc.y;
    this.doc
      .moveTo(this.doc.page.margins.left, y)
      .lineTo(this.doc.page.margins.left + this.width, y)
      .lineWidth(0.5)
      .strokeColor(COLORS.rule)
      .stroke();
    this.doc.y = y + 4;
    return this;
  }

  space(lines = 1): this {
    this.doc.moveDown(lines);
    return this;
  }

  pageBreak(): this {
    this.doc.addPage();
    return this;
  }

  /** A blank line to fill in by hand, under its label (the withdrawal form). */
  field(label: string, lines = 1): this {
    this.keepWithNext(24 * lines + 14);
    this.doc.text(label).moveDown(0.2);
    for (let i = 0; i < lines; i++) {
      this.doc.y += 14;
      this.rule();
    }
    this.doc.moveDown(0.4);
    return this;
  }

  private keepWithNext(points: number): void {
    if (this.doc.y + points > this.doc.page.height - this.doc.page.margins.bottom) this.doc.addPage();
  }

  /** Page footers, then the bytes. */
  async end(): Promise<Buffer> {
    const { doc } = this;
    const range = doc.bufferedPageRange();
    for (let i = range.start; i < range.start + range.count; i++) {
      doc.switchToPage(i);
      const bottom = doc.page.margins.bottom;
      doc.page.margins.bottom = 0;
      doc
        .font('regular')
        .fontSize(7.5)
        .fillColor(COLORS.muted)
        .text(`${this.footer} — page ${i + 1}/${range.count}`, doc.page.margins.left, doc.page.height - 36, {
          width: this.width,
          align: 'center',
          lineBreak: false,
        });
      doc.page.margins.bottom = bottom;
    }
    const chunks: Buffer[] = [];
    const done = new Promise<Buffer>((resolve, reject) => {
      doc.on('data', (c: Buffer) => chunks.push(c));
      doc.on('end', () => resolve(Buffer.concat(chunks)));
      doc.on('error', reject);
    });
    doc.end();
    return done;
  }
}

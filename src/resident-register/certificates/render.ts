/**
 * Draws a certificate's content (./model.ts) as an A4 portrait PDF: the font
 * embedded and subset (BIZ UDMincho, SIL OFL 1.1), the title, the persons'
 * items, the certifying statement with the era date and the mayor, the
 * certificate number and page x/y on every page, and the signed QR code
 * (./seal.ts) drawn as vector squares in the bottom-right corner. Pure: the
 * same content and code give the same bytes (the PDF's dates are the issue
 * date, its file id derives from them).
 *
 * It draws the content and nothing else: if a string does not fit its cell
 * even at the smallest size, or the font has no glyph for a character, it
 * throws rather than print something cut or a blank box.
 *
 * Layouts (A4 = 595.28 × 841.89 pt):
 * - household: the household lines (住所・世帯主 …) under the title, then up to
 *   four person blocks a page, 「以下余白」 after the last one if room is left;
 * - individual: one person a page, larger rows.
 * The statement, date and mayor are printed on the last page; every page
 * carries the number, x/y and the QR code, so a page separated from the rest
 * still verifies.
 */

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as fontkit from 'fontkit';
import PDFDocument from 'pdfkit';
import { encode as encodeQr } from 'uqr';
import type { CertificateContent, FieldKey, PrintedField } from './model.js';

export class RenderError extends Error {
  constructor(
    readonly code: 'glyph_missing' | 'text_too_long' | 'too_many_rows' | 'invalid_input',
    message: string,
  ) {
    super(message);
    this.name = 'RenderError';
  }
}

export interface CertificateFont {
  readonly regular: Uint8Array;
  readonly bold?: Uint8Array;
}

export interface RenderOptions {
  /** The signed code to draw as a QR symbol (signCertificate().code). */
  readonly qr: string;
  /** Another TrueType/OpenType font (e.g. one covering more of the standard administrative characters). Default: BIZ UDMincho. */
  readonly font?: CertificateFont;
  /** Compress the page streams (default true; false makes the drawing operators readable for tests). */
  readonly compress?: boolean;
  /** The line under the QR symbol. */
  readonly qrCaption?: string;
}

export const PERSONS_PER_HOUSEHOLD_PAGE = 4;
export const DEFAULT_QR_CAPTION = '真正性確認用コード';

// ---------------------------------------------------------------- geometry

const A4 = { width: 595.28, height: 841.89 } as const;
const MARGIN = 36;
const CONTENT_WIDTH = A4.width - 2 * MARGIN;
const TITLE_Y = 58;
const TITLE_SIZE = 20;
const BODY_TOP = 104;
const FOOTER_HEIGHT = 132;
const FOOTER_TOP = A4.height - MARGIN - FOOTER_HEIGHT;
const QR_SIZE = 92;
const HEADER_ROW_HEIGHT = 20;
const BLOCK_GAP = 8;
const MIN_TEXT_SIZE = 6;
const LABEL_FILL = '#eeeeee';
const LINE_WIDTH = 0.6;

interface BlockStyle {
  readonly rowHeight: number;
  readonly minRowHeight: number;
  readonly labelWidth: number;
  readonly textSize: number;
}
const HOUSEHOLD_STYLE: BlockStyle = { rowHeight: 18, minRowHeight: 12, labelWidth: 92, textSize: 9 };
const INDIVIDUAL_STYLE: BlockStyle = { rowHeight: 30, minRowHeight: 16, labelWidth: 112, textSize: 11 };

/** Fields that take a whole row; the others go two to a row (see rowsOf). */
const WIDE_FIELDS: ReadonlySet<FieldKey> = new Set(['address', 'previousAddress', 'addressSince', 'alias', 'moveOutDestination']);

/** Text the layout adds to the content (checked for glyphs with it). */
const LAYOUT_TEXTS = ['以下余白', '（次頁に続く）', '証明書番号 ', '0123456789 / 頁', '　'];

// ---------------------------------------------------------------- fonts

const FONT_PACKAGE = '@expo-google-fonts/biz-udmincho';
let defaultFont: CertificateFont | undefined;

/** BIZ UDMincho Regular and Bold (SIL OFL 1.1) from its npm package, read once. */
export function defaultCertificateFont(): CertificateFont {
  if (!defaultFont) {
    const require = createRequire(import.meta.url);
    const read = (path: string) => new Uint8Array(readFileSync(require.resolve(`${FONT_PACKAGE}/${path}`)));
    defaultFont = { regular: read('400Regular/BIZUDMincho_400Regular.ttf'), bold: read('700Bold/BIZUDMincho_700Bold.ttf') };
  }
  return defaultFont;
}

/** Fonts parsed once per byte array, for the glyph checks and for PDFKit. */
const parsedFonts = new WeakMap<Uint8Array, fontkit.Font>();

function parseFont(bytes: Uint8Array): fontkit.Font {
  let font = parsedFonts.get(bytes);
  if (!font) {
    const parsed = fontkit.create(Buffer.from(bytes));
    if (!('hasGlyphForCodePoint' in parsed)) throw new RenderError('invalid_input', 'the font is a collection; pass a single font');
    font = parsed;
    parsedFonts.set(bytes, font);
  }
  return font;
}

/** Characters of text the font cannot draw (no glyph), each once. */
export function missingGlyphs(fontBytes: Uint8Array, texts: Iterable<string>): string[] {
  const font = parseFont(fontBytes);
  const missing = new Set<string>();
  for (const text of texts) {
    for (const ch of text) {
      if (!font.hasGlyphForCodePoint(ch.codePointAt(0)!)) missing.add(ch);
    }
  }
  return [...missing];
}

// ---------------------------------------------------------------- QR

/** The QR modules for a code (true = dark), ECC level M, no quiet zone: what the renderer draws. */
export function qrModules(code: string): boolean[][] {
  return encodeQr(code, { ecc: 'M', border: 0 }).data;
}

// ---------------------------------------------------------------- entry point

type Doc = PDFKit.PDFDocument;

/** Renders the content as PDF bytes. */
export async function renderCertificatePdf(content: CertificateContent, options: RenderOptions): Promise<Uint8Array> {
  if (options.qr.trim() === '') throw new RenderError('invalid_input', 'the QR code string is empty');
  const font = options.font ?? defaultCertificateFont();
  const caption = options.qrCaption ?? DEFAULT_QR_CAPTION;
  const pages = paginate(content);

  const regularTexts = [...allTexts(content), caption, ...LAYOUT_TEXTS];
  const missing = [...new Set([...missingGlyphs(font.regular, regularTexts), ...(font.bold ? missingGlyphs(font.bold, [content.title]) : [])])];
  if (missing.length > 0) {
    const list = missing.map((ch) => `${ch} (U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')})`).join(', ');
    throw new RenderError('glyph_missing', `the font has no glyph for ${list}`);
  }

  // Midnight of the issue date in Japan (UTC+9): deterministic dates, hence a deterministic file id.
  const issued = new Date(`${content.issuedOn}T00:00:00+09:00`);
  const doc = new PDFDocument({
    size: 'A4',
    margin: 0,
    autoFirstPage: false,
    compress: options.compress ?? true,
    lang: 'ja-JP',
    displayTitle: true,
    info: {
      Title: `${content.title} ${content.certificateNumber}`,
      Author: content.municipality.name,
      Creator: 'municloud',
      Producer: 'municloud (PDFKit)',
      CreationDate: issued,
      ModDate: issued,
    },
  });
  // PDFKit also takes a parsed fontkit font (its types only list bytes): passing the one parsed for the glyph
  // check spares a copy of the font file (megabytes) and a second parse on every render.
  doc.registerFont('regular', parseFont(font.regular) as unknown as Uint8Array);
  doc.registerFont('bold', parseFont(font.bold ?? font.regular) as unknown as Uint8Array);

  const bytes = collect(doc);
  const modules = qrModules(options.qr);
  pages.forEach((page, i) => {
    doc.addPage({ size: 'A4', margin: 0 });
    const last = i === pages.length - 1;
    drawPageFrame(doc, content, i + 1, pages.length);
    const y = drawPersons(doc, content, page, drawHeader(doc, content.header, BODY_TOP));
    if (last && content.layout === 'household' && page.length < PERSONS_PER_HOUSEHOLD_PAGE) drawBlankRest(doc, y);
    drawFooter(doc, content, last ? 'closing' : 'continued');
    drawQr(doc, modules, caption);
  });
  doc.end();
  return bytes;
}

// ---------------------------------------------------------------- pages

/** Person indexes per page. */
function paginate(content: CertificateContent): number[][] {
  const perPage = content.layout === 'individual' ? 1 : PERSONS_PER_HOUSEHOLD_PAGE;
  const pages: number[][] = [];
  for (let i = 0; i < content.persons.length; i += perPage) {
    pages.push(content.persons.slice(i, i + perPage).map((_, j) => i + j));
  }
  if (pages.length === 0) throw new RenderError('invalid_input', 'the content lists no person');
  return pages;
}

function allTexts(content: CertificateContent): string[] {
  const fieldTexts = (fields: readonly PrintedField[]) => fields.flatMap((f) => [f.label, f.value]);
  return [
    content.municipality.name,
    content.issuer.title,
    content.issuer.name,
    content.certificateNumber,
    content.issuedOnText,
    content.statement,
    ...fieldTexts(content.header),
    ...content.persons.flatMap((p) => fieldTexts(p.fields)),
  ];
}

function drawPageFrame(doc: Doc, content: CertificateContent, page: number, pageCount: number): void {
  doc.fillColor('black');
  text(doc, content.title, { x: MARGIN, y: TITLE_Y - TITLE_SIZE, width: CONTENT_WIDTH, height: TITLE_SIZE * 1.6 }, { size: TITLE_SIZE, align: 'center', font: 'bold' });
  const small = { size: 8, align: 'right' as const };
  text(doc, `証明書番号 ${content.certificateNumber}`, { x: MARGIN, y: MARGIN - 14, width: CONTENT_WIDTH, height: 12 }, small);
  text(doc, `${page} / ${pageCount} 頁`, { x: MARGIN, y: MARGIN - 2, width: CONTENT_WIDTH, height: 12 }, small);
}

/** The household lines, one row each; returns the y below them. */
function drawHeader(doc: Doc, fields: readonly PrintedField[], top: number): number {
  if (fields.length === 0) return top;
  const rows: Row[] = fields.map((field) => [{ field, share: 1 }]);
  drawGrid(doc, rows, { x: MARGIN, y: top, rowHeight: HEADER_ROW_HEIGHT, labelWidth: HOUSEHOLD_STYLE.labelWidth, textSize: 10 });
  return top + rows.length * HEADER_ROW_HEIGHT + BLOCK_GAP * 2;
}

/** The person blocks of one page, each at the top of its slot (a quarter of the room in the household layout); returns the y below the last block. */
function drawPersons(doc: Doc, content: CertificateContent, indexes: readonly number[], top: number): number {
  const style = content.layout === 'individual' ? INDIVIDUAL_STYLE : HOUSEHOLD_STYLE;
  const slots = content.layout === 'individual' ? 1 : PERSONS_PER_HOUSEHOLD_PAGE;
  const available = FOOTER_TOP - BLOCK_GAP - top;
  const slotHeight = available / slots;
  let slotTop = top;
  let bottom = top;
  for (const index of indexes) {
    const rows = rowsOf(content.persons[index]!.fields);
    const rowHeight = Math.min(style.rowHeight, (slotHeight - BLOCK_GAP) / rows.length);
    if (rowHeight < style.minRowHeight) {
      throw new RenderError('too_many_rows', `person ${index + 1} has ${rows.length} rows; they do not fit a ${content.layout} slot`);
    }
    drawGrid(doc, rows, { x: MARGIN, y: slotTop, rowHeight, labelWidth: style.labelWidth, textSize: style.textSize });
    bottom = slotTop + rows.length * rowHeight + BLOCK_GAP;
    slotTop += slotHeight;
  }
  return bottom;
}

/** A table row: one to two cells, each with its share of the width. */
type Row = readonly { readonly field: PrintedField; readonly share: number }[];

/**
 * Groups fields into rows, in order: a wide field alone; 本籍 with its 筆頭者
 * (two thirds and one third); other fields two by two, a last one alone
 * taking the whole row.
 */
function rowsOf(fields: readonly PrintedField[]): Row[] {
  const rows: Row[] = [];
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i]!;
    const next = fields[i + 1];
    if (f.key === 'domicile' && next?.key === 'domicileHead') {
      rows.push([{ field: f, share: 2 / 3 }, { field: next, share: 1 / 3 }]);
      i++;
    } else if (WIDE_FIELDS.has(f.key) || !next || WIDE_FIELDS.has(next.key) || next.key === 'domicile') {
      rows.push([{ field: f, share: 1 }]);
    } else {
      rows.push([{ field: f, share: 1 / 2 }, { field: next, share: 1 / 2 }]);
      i++;
    }
  }
  return rows;
}

/**
 * A bordered table: each row is one field across the full width or two side
 * by side, each cell a label on grey and its value.
 */
function drawGrid(doc: Doc, rows: readonly Row[], g: { x: number; y: number; rowHeight: number; labelWidth: number; textSize: number }): void {
  doc.lineWidth(LINE_WIDTH).strokeColor('black');
  const pad = 4;
  rows.forEach((row, r) => {
    const y = g.y + r * g.rowHeight;
    let x = g.x;
    for (const { field, share } of row) {
      const width = CONTENT_WIDTH * share;
      doc.rect(x, y, g.labelWidth, g.rowHeight).fillAndStroke(LABEL_FILL, 'black');
      doc.rect(x + g.labelWidth, y, width - g.labelWidth, g.rowHeight).stroke();
      doc.fillColor('black');
      text(doc, field.label, { x: x + pad, y, width: g.labelWidth - 2 * pad, height: g.rowHeight }, { size: Math.min(g.textSize, 9) });
      text(doc, field.value, { x: x + g.labelWidth + pad, y, width: width - g.labelWidth - 2 * pad, height: g.rowHeight }, { size: g.textSize });
      x += width;
    }
  });
}

function drawBlankRest(doc: Doc, y: number): void {
  text(doc, '以下余白', { x: MARGIN, y, width: CONTENT_WIDTH, height: 20 }, { size: 10, align: 'center' });
}

/** The statement, the era date and the mayor (last page), or a continuation note. */
function drawFooter(doc: Doc, content: CertificateContent, mode: 'closing' | 'continued'): void {
  const width = CONTENT_WIDTH - QR_SIZE - 24;
  const x = MARGIN;
  if (mode === 'continued') {
    text(doc, '（次頁に続く）', { x, y: FOOTER_TOP, width, height: 16 }, { size: 10 });
    return;
  }
  text(doc, content.statement, { x, y: FOOTER_TOP, width, height: 18 }, { size: 11 });
  text(doc, content.issuedOnText, { x: x + 24, y: FOOTER_TOP + 34, width: width - 24, height: 18 }, { size: 11 });
  text(doc, `${content.issuer.title}　${content.issuer.name}`, { x, y: FOOTER_TOP + 68, width, height: 24 }, { size: 14, align: 'right' });
}

/** The QR symbol as filled squares (dark runs of each row), bottom right, with its caption underneath. */
function drawQr(doc: Doc, modules: readonly (readonly boolean[])[], caption: string): void {
  const count = modules.length;
  const size = QR_SIZE / count;
  const x0 = A4.width - MARGIN - QR_SIZE;
  const y0 = FOOTER_TOP;
  modules.forEach((row, r) => {
    let c = 0;
    while (c < count) {
      if (!row[c]) {
        c++;
        continue;
      }
      const start = c;
      while (c < count && row[c]) c++;
      doc.rect(x0 + start * size, y0 + r * size, (c - start) * size, size);
    }
  });
  doc.fillColor('black').fill();
  text(doc, caption, { x: x0 - 12, y: y0 + QR_SIZE + 10, width: QR_SIZE + 24, height: 10 }, { size: 7, align: 'center' });
}

// ---------------------------------------------------------------- text

/**
 * One line of text in a box, vertically centred, shrunk (down to 6 pt) until
 * it fits the width. Throws when it cannot fit: a certificate never cuts text.
 */
function text(doc: Doc, value: string, box: { x: number; y: number; width: number; height: number }, style: { size: number; align?: 'left' | 'center' | 'right'; font?: 'regular' | 'bold' }): void {
  if (value === '') return;
  doc.font(style.font ?? 'regular');
  let size = style.size;
  doc.fontSize(size);
  while (doc.widthOfString(value) > box.width && size > MIN_TEXT_SIZE) {
    size = Math.max(MIN_TEXT_SIZE, size - 0.5);
    doc.fontSize(size);
  }
  if (doc.widthOfString(value) > box.width) {
    throw new RenderError('text_too_long', `${JSON.stringify(value)} does not fit ${Math.round(box.width)} pt even at ${MIN_TEXT_SIZE} pt`);
  }
  const lineHeight = doc.currentLineHeight();
  doc.text(value, box.x, box.y + (box.height - lineHeight) / 2, { width: box.width, align: style.align ?? 'left', lineBreak: false });
}

function collect(doc: Doc): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => resolve(new Uint8Array(Buffer.concat(chunks))));
    doc.on('error', reject);
  });
}

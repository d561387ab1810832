/**
 * The certificate PDF jobs of the resident-register benchmark, shared by the
 * main thread (sequential runs) and the worker threads (parallel runs):
 *
 * - household: 住民票の写し of a household of 4 (one page), the pure pipeline
 *   certificateContent → signCertificate (Ed25519, in process) → renderCertificatePdf;
 * - individual: 住民票の写し of one person (one page), the same pipeline;
 * - baseline: a one-page PDFKit document with the same embedded font (BIZ
 *   UDMincho, subset, compressed) and one line of text: what any Japanese PDF
 *   costs before a certificate's layout, QR code and signature.
 */
import { generateKeyPairSync } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import * as fontkit from 'fontkit';
import PDFDocument from 'pdfkit';
import { certificateContent } from '../src/resident-register/certificates/model.js';
import { defaultCertificateFont, renderCertificatePdf } from '../src/resident-register/certificates/render.js';
import { certificateSigner, signCertificate } from '../src/resident-register/certificates/seal.js';
import { HANAKO, ICHIRO, JIRO, request, TARO } from '../src/resident-register/certificates/test-fixtures.js';

export const PDF_JOBS = ['household', 'individual', 'baseline'] as const;
export type PdfJob = (typeof PDF_JOBS)[number];

/** Milliseconds spent in each stage of one PDF (baseline: all in render). */
export interface PdfTiming {
  readonly content: number;
  readonly sign: number;
  readonly render: number;
  readonly bytes: number;
}

export interface PdfJobs {
  run(job: PdfJob): Promise<PdfTiming>;
}

export const BASELINE_TEXT = '住民票の写し　千代田区長　千代田 一郎　証明書番号 2026-000123';

export function pdfJobs(): PdfJobs {
  const signer = certificateSigner(generateKeyPairSync('ed25519').privateKey);
  const requests = {
    household: request('resident_copy_household', { persons: [TARO, HANAKO, ICHIRO, JIRO] }),
    individual: request('resident_copy_individual', { persons: [TARO] }),
  };
  // The renderer hands PDFKit a fontkit font parsed once per process; the baseline does the same.
  const font = fontkit.create(Buffer.from(defaultCertificateFont().regular));
  const issued = new Date('2026-11-21T00:00:00+09:00');

  const baseline = async (): Promise<Uint8Array> => {
    const doc = new PDFDocument({ size: 'A4', margin: 0, autoFirstPage: false, compress: true, lang: 'ja-JP', info: { Title: 'baseline', CreationDate: issued, ModDate: issued } });
    doc.registerFont('regular', font as unknown as Uint8Array);
    const done = collect(doc);
    doc.addPage({ size: 'A4', margin: 0 });
    doc.font('regular').fontSize(12).text(BASELINE_TEXT, 36, 36, { lineBreak: false });
    doc.end();
    return done;
  };

  return {
    async run(job) {
      if (job === 'baseline') {
        const t0 = performance.now();
        const pdf = await baseline();
        return { content: 0, sign: 0, render: performance.now() - t0, bytes: pdf.length };
      }
      const t0 = performance.now();
      const content = certificateContent(requests[job]);
      const t1 = performance.now();
      const { code } = await signCertificate(content, signer);
      const t2 = performance.now();
      const pdf = await renderCertificatePdf(content, { qr: code });
      const t3 = performance.now();
      return { content: t1 - t0, sign: t2 - t1, render: t3 - t2, bytes: pdf.length };
    },
  };
}

function collect(doc: PDFKit.PDFDocument): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => resolve(new Uint8Array(Buffer.concat(chunks))));
    doc.on('error', reject);
  });
}

/** What one thread reports for a timed run of a job. */
export interface PdfRunResult {
  readonly count: number;
  readonly seconds: number;
  readonly totals: { content: number; sign: number; render: number; bytes: number };
  readonly latenciesMs: number[];
}

/** Runs `job` back to back for `ms`. */
export async function runPdfJob(jobs: PdfJobs, job: PdfJob, ms: number): Promise<PdfRunResult> {
  const totals = { content: 0, sign: 0, render: 0, bytes: 0 };
  const latenciesMs: number[] = [];
  const t0 = performance.now();
  let now = t0;
  while (now - t0 < ms) {
    const t = await jobs.run(job);
    totals.content += t.content;
    totals.sign += t.sign;
    totals.render += t.render;
    totals.bytes += t.bytes;
    const e = performance.now();
    latenciesMs.push(e - now);
    now = e;
  }
  return { count: latenciesMs.length, seconds: (now - t0) / 1000, totals, latenciesMs };
}

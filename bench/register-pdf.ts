/**
 * Certificate PDFs per second (part 2 of bench/register.ts): the pure
 * pipeline, in this thread and on worker threads, against a one-page PDFKit
 * document with the same font (see ./register-pdf-jobs.ts), in alternating
 * rounds.
 */
import { Worker } from 'node:worker_threads';
import { out, step } from './harness.js';
import { PDF_JOBS, pdfJobs, runPdfJob, type PdfJob, type PdfRunResult } from './register-pdf-jobs.js';
import { fmt, median, ms, percentile, range, roundOrder } from './register-support.js';

export interface PdfSettings {
  readonly rounds: number;
  readonly roundMs: number;
  readonly workers: number;
}

interface JobSummary {
  count: number;
  seconds: number;
  totals: { content: number; sign: number; render: number; bytes: number };
  latencies: number[];
  roundRates: number[];
}

export interface PdfReport {
  readonly sequential: Record<PdfJob, JobSummary>;
  readonly parallel: Record<PdfJob, JobSummary> | null;
  readonly workers: number;
}

const empty = (): JobSummary => ({ count: 0, seconds: 0, totals: { content: 0, sign: 0, render: 0, bytes: 0 }, latencies: [], roundRates: [] });

function addTo(s: JobSummary, r: PdfRunResult | PdfRunResult[]): void {
  const runs = Array.isArray(r) ? r : [r];
  const count = runs.reduce((a, x) => a + x.count, 0);
  // Parallel runs: the rate is the sum of the threads' rates (they run at the same time).
  const rate = runs.reduce((a, x) => a + x.count / x.seconds, 0);
  s.count += count;
  s.seconds += count / rate;
  for (const x of runs) {
    s.totals.content += x.totals.content;
    s.totals.sign += x.totals.sign;
    s.totals.render += x.totals.render;
    s.totals.bytes += x.totals.bytes;
    for (const l of x.latenciesMs) s.latencies.push(l);
  }
  s.roundRates.push(rate);
}

const rateOf = (s: JobSummary) => s.count / s.seconds;

function startWorker(): Promise<Worker> {
  const w = new Worker(new URL('./register-pdf-worker.js', import.meta.url));
  return Promise.resolve(w);
}

function runOn(w: Worker, job: PdfJob, roundMs: number): Promise<PdfRunResult> {
  return new Promise((resolve, reject) => {
    const onMessage = (m: { ok: true; result: PdfRunResult } | { ok: false; error: string }) => {
      w.off('error', onError);
      if (m.ok) resolve(m.result);
      else reject(new Error(`PDF worker: ${m.error}`));
    };
    const onError = (err: Error) => {
      w.off('message', onMessage);
      reject(err);
    };
    w.once('message', onMessage);
    w.once('error', onError);
    w.postMessage({ job, ms: roundMs });
  });
}

export async function benchCertificates(settings: PdfSettings): Promise<PdfReport> {
  const { rounds, roundMs, workers } = settings;
  const jobs = pdfJobs();
  step(`certificate PDFs: warm-up, then ${rounds} rounds × ${roundMs} ms per job in this thread`);
  for (const job of PDF_JOBS) await runPdfJob(jobs, job, 1000);
  const sequential = { household: empty(), individual: empty(), baseline: empty() };
  for (let round = 0; round < rounds; round++) {
    for (const i of roundOrder(PDF_JOBS.length, round)) {
      const job = PDF_JOBS[i]!;
      addTo(sequential[job], await runPdfJob(jobs, job, roundMs));
    }
    step(`  round ${round + 1}/${rounds}: ${PDF_JOBS.map((j) => `${j} ${fmt(sequential[j].roundRates.at(-1)!, 1)}/s`).join(', ')}`);
  }

  let parallel: PdfReport['parallel'] = null;
  if (workers > 1) {
    step(`certificate PDFs: ${workers} worker threads, ${rounds} rounds × ${roundMs} ms per job`);
    const pool = await Promise.all(Array.from({ length: workers }, startWorker));
    try {
      for (const job of PDF_JOBS) await Promise.all(pool.map((w) => runOn(w, job, 1000)));
      parallel = { household: empty(), individual: empty(), baseline: empty() };
      for (let round = 0; round < rounds; round++) {
        for (const i of roundOrder(PDF_JOBS.length, round)) {
          const job = PDF_JOBS[i]!;
          addTo(parallel[job], await Promise.all(pool.map((w) => runOn(w, job, roundMs))));
        }
        step(`  round ${round + 1}/${rounds}: ${PDF_JOBS.map((j) => `${j} ${fmt(parallel![j].roundRates.at(-1)!, 1)}/s`).join(', ')}`);
      }
    } finally {
      await Promise.all(pool.map((w) => w.terminate()));
    }
  }
  return { sequential, parallel, workers };
}

export function reportCertificates(r: PdfReport): void {
  const base = r.sequential.baseline;
  out('## Certificate PDFs (pure pipeline: content → Ed25519 signature → PDF with embedded font and QR code)');
  out();
  out('| job, one thread | PDFs/s | ms/PDF (mean) | p50 / p99 ms | content / sign / render ms | bytes/PDF | rounds PDFs/s | PDFs/s ÷ baseline (pooled) | per round: median [min–max] |');
  out('|---|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const job of PDF_JOBS) {
    const s = r.sequential[job];
    const sorted = Float64Array.from(s.latencies).sort();
    const ratios = s.roundRates.map((x, i) => x / base.roundRates[i]!);
    out(
      `| ${job} | ${fmt(rateOf(s), 1)} | ${ms((1000 * s.seconds) / s.count)} | ${ms(percentile(sorted, 50))} / ${ms(percentile(sorted, 99))} | ` +
        `${ms(s.totals.content / s.count)} / ${ms(s.totals.sign / s.count)} / ${ms(s.totals.render / s.count)} | ${fmt(s.totals.bytes / s.count)} | ` +
        `${range(s.roundRates, 1)} | ${job === 'baseline' ? '1' : (rateOf(s) / rateOf(base)).toFixed(3)} | ${job === 'baseline' ? '' : `${median(ratios).toFixed(3)} [${range(ratios, 3)}]`} |`,
    );
  }
  if (r.parallel) {
    out();
    out(`| job, ${r.workers} worker threads | PDFs/s | speed-up vs one thread | p50 / p99 ms per PDF | rounds PDFs/s | PDFs/s ÷ baseline (pooled) |`);
    out('|---|---:|---:|---:|---:|---:|');
    for (const job of PDF_JOBS) {
      const s = r.parallel[job];
      const sorted = Float64Array.from(s.latencies).sort();
      out(
        `| ${job} | ${fmt(rateOf(s), 1)} | ${(rateOf(s) / rateOf(r.sequential[job])).toFixed(2)}× | ${ms(percentile(sorted, 50))} / ${ms(percentile(sorted, 99))} | ` +
          `${range(s.roundRates, 1)} | ${job === 'baseline' ? '1' : (rateOf(s) / rateOf(r.parallel.baseline)).toFixed(3)} |`,
      );
    }
  }
  out();
}

/** Worker thread of the certificate PDF benchmark: runs the job it is sent for the time it is given. */
import { parentPort } from 'node:worker_threads';
import { pdfJobs, runPdfJob, type PdfJob } from './register-pdf-jobs.js';

const jobs = pdfJobs();
parentPort!.on('message', (m: { job: PdfJob; ms: number }) => {
  runPdfJob(jobs, m.job, m.ms).then(
    (result) => parentPort!.postMessage({ ok: true, result }),
    (err: unknown) => parentPort!.postMessage({ ok: false, error: err instanceof Error ? (err.stack ?? err.message) : String(err) }),
  );
});

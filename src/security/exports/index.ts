/**
 * Four-eyes bulk exports: what operations, the server and the CLI import. See
 * docs/security.md. An operation registers its dataset with EXPORT_DATASETS
 * (datasets.ts explains the rules); the routes and the file format do the rest.
 */
export { cursorRows, EXPORT_DATASETS, ExportDatasetRegistry, type ExportColumn, type ExportDataset, type ExportRow, type RegisteredDataset } from './datasets.js';
export { csvField, csvRecord, parseCsv } from './csv.js';
export { decryptExport, encryptExport, ExportFileError, ExportFileReader, ExportFileWriter, parseExportKey, type ExportFileFailure } from './file-format.js';
export { EXPORT_POLICY, EXPORT_PURPOSES, EXPORT_STATES, type ExportState } from './policy.js';
export { exportRoutes } from './routes.js';

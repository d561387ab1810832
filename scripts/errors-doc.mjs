// Regenerates the table in docs/errors.md from src/platform/errors.ts (compiled to dist/ by `npm run build`).
import fs from 'node:fs';
const { PROBLEMS } = await import(process.argv[2] ?? '../dist/src/platform/errors.js');
const file = new URL('../docs/errors.md', import.meta.url);
const doc = fs.readFileSync(file, 'utf8');
let out = doc.slice(0, doc.indexOf('| code | status |')) + '| code | status | 日本語 | English |\n| --- | --- | --- | --- |\n';
for (const [code, p] of Object.entries(PROBLEMS)) out += `| \`${code}\` | ${p.status} | ${p.ja} | ${p.en} |\n`;
out += '\nThe table is `src/platform/errors.ts` (regenerate this page with `node scripts/errors-doc.mjs` after `npm run build`); `src/platform/errors.test.ts` checks that it lists every code.\n';
fs.writeFileSync(file, out);

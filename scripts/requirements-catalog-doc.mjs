// Regenerates the table of requirements in docs/requirements-catalog.md from
// src/providers/catalog/requirements.ts (compiled to dist/ by `npm run build`).
import fs from 'node:fs';
const { REQUIREMENTS, GROUP_INFO } = await import(process.argv[2] ?? '../dist/src/providers/catalog/requirements.js');
const file = new URL('../docs/requirements-catalog.md', import.meta.url);
const doc = fs.readFileSync(file, 'utf8');
const HEADER = '| id | title | 日本語 | profiles | method | self-check |';
const MARKER = '<!-- Generated below by scripts/requirements-catalog-doc.mjs: edit the data, not the tables. -->\n';
if (!doc.includes(MARKER)) throw new Error('docs/requirements-catalog.md has lost its marker line');

// Classes nest (general ⊂ personal ⊂ my_number), so the smallest profile that holds a requirement says it all.
const profiles = (r) => (r.dataClasses.includes('general') ? 'all' : r.dataClasses.includes('personal') ? 'personal, my_number' : 'my_number');
const cell = (text) => text.replace(/\|/g, '\\|');

let out = doc.slice(0, doc.indexOf(MARKER) + MARKER.length);
let group = null;
for (const r of REQUIREMENTS) {
  if (r.group !== group) {
    group = r.group;
    out += `\n### ${GROUP_INFO[group].title.en} (${GROUP_INFO[group].title.ja})\n\n${HEADER}\n| --- | --- | --- | --- | --- | --- |\n`;
  }
  const check = r.assessment.automated ? `\`${r.assessment.automated}\`` : '';
  out += `| \`${r.id}\` | ${cell(r.title.en)} | ${cell(r.title.ja)} | ${profiles(r)} | ${r.assessment.method} | ${check} |\n`;
}
out +=
  '\nThe tables are `src/providers/catalog/requirements/*.ts` (regenerate them with `node scripts/requirements-catalog-doc.mjs` after `npm run build`); `src/providers/catalog/catalog-doc.test.ts` checks that they list every requirement with its title.\n';
fs.writeFileSync(file, out);

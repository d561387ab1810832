import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DATA_CLASSES, profileRequirementIds } from './profiles.js';
import { AUTOMATED_CHECKS, GROUP_INFO, REQUIREMENT_GROUPS, REQUIREMENTS } from './requirements.js';

const doc = readFileSync(new URL('../../../docs/requirements-catalog.md', import.meta.url), 'utf8');

describe('docs/requirements-catalog.md', () => {
  it('lists every requirement with its titles, and nothing else', () => {
    for (const r of REQUIREMENTS) expect(doc).toContain(`| \`${r.id}\` | ${r.title.en} | ${r.title.ja} |`);
    const listed = [...doc.matchAll(/^\| `([a-z]+-\d+)` \|/gm)].map((m) => m[1]);
    expect(listed).toEqual(REQUIREMENTS.map((r) => r.id));
  });

  it('states the current counts per group and per profile', () => {
    for (const g of REQUIREMENT_GROUPS) {
      const count = REQUIREMENTS.filter((r) => r.group === g).length;
      expect(doc).toContain(`| \`${g}\` | \`${GROUP_INFO[g].prefix}\` | ${GROUP_INFO[g].title.ja} | ${count} |`);
    }
    for (const dc of DATA_CLASSES) expect(doc).toMatch(new RegExp(`^\\| \`${dc}\` \\|.*\\| ${profileRequirementIds(dc).length} \\|$`, 'm'));
    expect(doc).toContain(`${REQUIREMENTS.length} requirements in four groups`);
  });

  it('describes every self-check', () => {
    for (const check of Object.keys(AUTOMATED_CHECKS)) expect(doc).toContain(`| \`${check}\` |`);
  });
});

import { describe, expect, it } from 'vitest';
import { DATA_CLASSES, DATA_CLASS_INFO, profileRequirementIds } from './profiles.js';
import {
  ASSESSMENT_METHODS,
  AUTOMATED_CHECKS,
  GROUP_INFO,
  REQUIREMENT_GROUPS,
  REQUIREMENT_ID,
  REQUIREMENTS,
  requirementById,
} from './requirements.js';

const JAPANESE = /[\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Han}]/u;
const PRIVATE_USE = /[\p{Co}]/u;
const CONTROL = /[\p{Cc}]/u;

describe('the requirements catalog', () => {
  it('has at least 100 requirements with unique ids of the scheme', () => {
    expect(REQUIREMENTS.length).toBeGreaterThanOrEqual(100);
    const ids = REQUIREMENTS.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const r of REQUIREMENTS) {
      expect(r.id).toMatch(REQUIREMENT_ID);
      expect(r.id.startsWith(`${GROUP_INFO[r.group].prefix}-`), r.id).toBe(true);
    }
  });

  it('numbers each group from 01 without gaps, in order', () => {
    for (const group of REQUIREMENT_GROUPS) {
      const numbers = REQUIREMENTS.filter((r) => r.group === group).map((r) => Number(r.id.split('-')[1]));
      expect(numbers).toEqual(numbers.map((_, i) => i + 1));
    }
  });

  it('is balanced: every group has at least 15 requirements', () => {
    for (const group of REQUIREMENT_GROUPS) {
      expect(REQUIREMENTS.filter((r) => r.group === group).length, group).toBeGreaterThanOrEqual(15);
    }
  });

  it('lists groups in catalog order, so that an OSCAL round trip keeps the order', () => {
    const order = REQUIREMENTS.map((r) => REQUIREMENT_GROUPS.indexOf(r.group));
    expect(order).toEqual([...order].sort((a, b) => a - b));
  });

  it('has every text filled in, single-line where OSCAL needs it, without control or private-use characters', () => {
    for (const r of REQUIREMENTS) {
      const texts = [r.title.ja, r.title.en, r.statement.ja, r.statement.en, r.rationale, r.assessment.text];
      for (const text of texts) {
        expect(text.trim(), r.id).not.toBe('');
        expect(text, r.id).toBe(text.trim());
        expect(PRIVATE_USE.test(text), `${r.id}: private-use character`).toBe(false);
        expect(CONTROL.test(text), `${r.id}: control character`).toBe(false);
      }
      expect(r.rationale.length, r.id).toBeGreaterThan(40);
      expect(r.assessment.text.length, r.id).toBeGreaterThan(30);
    }
  });

  it('writes Japanese in Japanese and English in English', () => {
    for (const r of REQUIREMENTS) {
      expect(r.title.ja, r.id).toMatch(JAPANESE);
      expect(r.statement.ja, r.id).toMatch(JAPANESE);
      expect(r.statement.ja.endsWith('こと。'), `${r.id}: a requirement reads 「…すること。」`).toBe(true);
      for (const en of [r.title.en, r.statement.en, r.rationale, r.assessment.text]) expect(JAPANESE.test(en), r.id).toBe(false);
    }
  });

  it('grounds each rationale in a named public principle', () => {
    const principle = /ISMAP|ISO\/IEC|Act\b|PPC|Government Cloud|guideline|MIC|CRYPTREC|NIST|three-layer|unified cybersecurity standards/;
    expect(REQUIREMENTS.filter((r) => !principle.test(r.rationale)).map((r) => r.id)).toEqual([]);
  });

  it('gives each requirement a known assessment method and, where set, a known self-check', () => {
    for (const r of REQUIREMENTS) {
      expect(ASSESSMENT_METHODS).toContain(r.assessment.method);
      if (r.assessment.automated !== undefined) expect(Object.keys(AUTOMATED_CHECKS)).toContain(r.assessment.automated);
    }
    // Every self-check the platform offers is used by some requirement.
    const used = new Set(REQUIREMENTS.map((r) => r.assessment.automated).filter((a) => a !== undefined));
    expect([...used].sort()).toEqual(Object.keys(AUTOMATED_CHECKS).sort());
  });

  it('cites the requirements it names in its texts', () => {
    for (const r of REQUIREMENTS) {
      for (const ref of `${r.statement.en} ${r.rationale} ${r.assessment.text}`.match(/\b(sec|leg|dat|ops)-\d{2,3}\b/g) ?? []) {
        expect(requirementById(ref), `${r.id} cites ${ref}`).toBeDefined();
      }
    }
  });
});

describe('the data-class profiles', () => {
  it('puts every requirement in the My Number profile', () => {
    expect(profileRequirementIds('my_number')).toEqual(REQUIREMENTS.map((r) => r.id));
  });

  it('nest: general ⊂ personal ⊂ my_number, each strictly smaller', () => {
    const general = profileRequirementIds('general');
    const personal = profileRequirementIds('personal');
    const myNumber = profileRequirementIds('my_number');
    expect(general.every((id) => personal.includes(id))).toBe(true);
    expect(personal.every((id) => myNumber.includes(id))).toBe(true);
    expect(general.length).toBeLessThan(personal.length);
    expect(personal.length).toBeLessThan(myNumber.length);
  });

  it('lists each requirement’s classes once each, in the order of DATA_CLASSES', () => {
    for (const r of REQUIREMENTS) {
      expect(r.dataClasses.length, r.id).toBeGreaterThan(0);
      expect(new Set(r.dataClasses).size, r.id).toBe(r.dataClasses.length);
      expect([...r.dataClasses], r.id).toEqual(DATA_CLASSES.filter((dc) => r.dataClasses.includes(dc)));
    }
  });

  it('has a Japanese and English label and meaning per class', () => {
    for (const dc of DATA_CLASSES) {
      expect(DATA_CLASS_INFO[dc].label.ja).toMatch(JAPANESE);
      expect(DATA_CLASS_INFO[dc].meaning.ja).toMatch(JAPANESE);
      expect(DATA_CLASS_INFO[dc].label.en).not.toBe('');
    }
  });
});

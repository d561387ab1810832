import { describe, expect, it } from 'vitest';
import { fieldError, Problem, PROBLEM_CONTENT_TYPE, problemBody, PROBLEMS, type ProblemCode } from './errors.js';

const codes = Object.keys(PROBLEMS) as ProblemCode[];

describe('PROBLEMS', () => {
  it.each(codes)('%s has a 4xx/5xx status and non-empty ja and en messages', (code) => {
    const entry = PROBLEMS[code];
    expect(Number.isInteger(entry.status)).toBe(true);
    expect(entry.status).toBeGreaterThanOrEqual(400);
    expect(entry.status).toBeLessThan(600);
    expect(entry.ja.trim().length).toBeGreaterThan(0);
    expect(entry.en.trim().length).toBeGreaterThan(0);
    expect(entry.ja).toMatch(/[\u3040-\u30ff\u4e00-\u9fff]/); // written in Japanese
    expect(entry.en).toMatch(/^[\x20-\x7e]+$/); // plain English
    expect(code).toMatch(/^[a-z][a-z_]*[a-z]$/);
  });

  it('uses the expected statuses for the common codes', () => {
    expect(PROBLEMS.validation_failed.status).toBe(400);
    expect(PROBLEMS.invalid_cursor.status).toBe(400);
    expect(PROBLEMS.unauthenticated.status).toBe(401);
    expect(PROBLEMS.forbidden.status).toBe(403);
    expect(PROBLEMS.not_found.status).toBe(404);
    expect(PROBLEMS.conflict.status).toBe(409);
    expect(PROBLEMS.internal_error.status).toBe(500);
    expect(PROBLEMS.service_unavailable.status).toBe(503);
  });
});

describe('Problem', () => {
  it('is an Error with the code, status and English message', () => {
    const p = new Problem('not_found');
    expect(p).toBeInstanceOf(Error);
    expect(p.code).toBe('not_found');
    expect(p.status).toBe(404);
    expect(p.message).toBe('Not found.');
    expect(p.fields).toEqual([]);
    expect(p.detail).toBeUndefined();
  });
});

describe('problemBody', () => {
  it.each(codes)('gives the RFC 9457 shape for %s', (code) => {
    const body = problemBody(new Problem(code));
    expect(body).toEqual({
      type: `urn:municloud:problem:${code}`,
      title: PROBLEMS[code].en,
      status: PROBLEMS[code].status,
      code,
      detail: PROBLEMS[code].en,
      message: { ja: PROBLEMS[code].ja, en: PROBLEMS[code].en },
    });
    expect(Object.keys(body)).not.toContain('errors');
    expect(Object.keys(body)).not.toContain('requestId');
    expect(JSON.parse(JSON.stringify(body))).toEqual(body);
  });

  it('adds field errors and the request id when there are any', () => {
    const fields = [fieldError('body/name', 'required', { ja: '必須項目です。', en: 'is required' })];
    const body = problemBody(new Problem('validation_failed', fields), 'req-1');
    expect(body).toMatchObject({ status: 400, code: 'validation_failed', errors: fields, requestId: 'req-1' });
    expect(body.errors).not.toBe(fields); // a copy
  });

  it('omits an empty request id', () => {
    expect(problemBody(new Problem('forbidden'), '')).not.toHaveProperty('requestId');
  });

  it('uses the detail message when given, keeping the title', () => {
    const detail = { ja: '団体コードの検査数字が違います。', en: 'The check digit is wrong.' };
    const body = problemBody(new Problem('invalid_organization_code', [], detail));
    expect(body.title).toBe(PROBLEMS.invalid_organization_code.en);
    expect(body.detail).toBe('The check digit is wrong.');
    expect(body.message).toEqual(detail);
  });

  it('has the problem+json content type', () => {
    expect(PROBLEM_CONTENT_TYPE).toMatch(/^application\/problem\+json/);
  });
});

describe('fieldError', () => {
  it('builds a field error', () => {
    expect(fieldError('query/limit', 'maximum', { ja: 'j', en: 'e' })).toEqual({ field: 'query/limit', rule: 'maximum', message: { ja: 'j', en: 'e' } });
  });
});

describe('docs/errors.md', () => {
  it('lists every problem code with its status', async () => {
    const { readFile } = await import('node:fs/promises');
    const doc = await readFile(new URL('../../docs/errors.md', import.meta.url), 'utf8');
    for (const [code, entry] of Object.entries(PROBLEMS)) expect(doc).toContain(`| \`${code}\` | ${entry.status} |`);
  });
});

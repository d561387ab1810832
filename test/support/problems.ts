/** Assertions on the API's answers that many suites make. */
import { expect } from 'vitest';

type Answer = { status: number; body: any };

/** A problem+json answer: its status, stable code, a message in both languages, and the rules named (if any). */
export function expectProblem(res: Answer, status: number, code: string, rules: readonly string[] = []): void {
  expect(res.status, JSON.stringify(res.body).slice(0, 2000)).toBe(status);
  expect(res.body.code).toBe(code);
  expect(res.body.message.ja).toBeTruthy();
  expect(res.body.message.en).toBeTruthy();
  for (const rule of rules) expect(res.body.errors.map((e: { rule: string }) => e.rule)).toContain(rule);
}

/** The body of a 201 Created, after checking it is one. */
export function created(res: Answer): any {
  expect(res.status, JSON.stringify(res.body).slice(0, 2000)).toBe(201);
  return res.body;
}

/** The body of any success (2xx), after checking it is one. */
export function succeeded(res: Answer): any {
  expect(res.status, JSON.stringify(res.body).slice(0, 2000)).toBeGreaterThanOrEqual(200);
  expect(res.status).toBeLessThan(300);
  return res.body;
}

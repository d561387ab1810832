/**
 * Field errors gathered while checking a filing, so that one answer lists
 * everything wrong with it. Malformed values make it a 400; values that are
 * well formed but that the register refuses make it a 422.
 */
import { fieldError, Problem, type FieldError } from '../platform/errors.js';

/** Collects field errors under a JSON-pointer prefix. */
export class Findings {
  constructor(
    private readonly prefix: string,
    private readonly report: { errors: FieldError[]; malformed: boolean } = { errors: [], malformed: false },
  ) {}

  /** Findings under a sub-path; they share one report, so it gathers everything. */
  at(path: string | number): Findings {
    return new Findings(`${this.prefix}/${path}`, this.report);
  }

  /** A value that is malformed in itself (a bad date, a wrong check digit): 400. */
  add(path: string, rule: string, ja: string, en: string): void {
    this.report.malformed = true;
    this.push(path, rule, ja, en);
  }

  /** A well-formed value that the register's state or rules refuse (not a current resident, two heads): 422. */
  refuse(path: string, rule: string, ja: string, en: string): void {
    this.push(path, rule, ja, en);
  }

  private push(path: string, rule: string, ja: string, en: string): void {
    this.report.errors.push(fieldError(path ? `${this.prefix}/${path}` : this.prefix, rule, { ja, en }));
  }

  get errors(): readonly FieldError[] {
    return this.report.errors;
  }

  get ok(): boolean {
    return this.report.errors.length === 0;
  }

  /** Throws the findings as a problem: validation_failed if anything is malformed, else filing_rejected. */
  throwIfAny(): void {
    if (this.ok) return;
    throw new Problem(this.report.malformed ? 'validation_failed' : 'filing_rejected', this.report.errors);
  }
}

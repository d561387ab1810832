/**
 * Who issues a municipality's certificates: the mayor's title and name printed
 * under the certifying statement (千代田区長　千代田 一郎). Kept in the control
 * database (control.certificate_issuers), one row per municipality, set by its
 * admin or by the demo seeder. A certificate is not issued until it is set:
 * printing a made-up or empty name would make a certificate nobody can rely on.
 *
 * The text is checked when it is set, not when a certificate is printed: NFKC,
 * single spaces, no control or private-use characters, and every character one
 * the certificate font can draw, so a clerk never meets a certificate that
 * cannot be printed because of the settings.
 */
import type pg from 'pg';
import { findOrganization } from '../../organizations/store.js';
import { isMunicipalityKind } from '../../organizations/organization.js';
import { fieldError, Problem, type FieldError } from '../../platform/errors.js';
import { defaultCertificateFont, missingGlyphs } from './render.js';

export interface CertificateIssuer {
  readonly municipalityCode: string;
  /** e.g. 千代田区長 */
  readonly mayorTitle: string;
  /** e.g. 千代田 一郎 */
  readonly mayorName: string;
  readonly updatedAt: string;
  /** The account that set it, or null for a platform job (the demo seeder). */
  readonly updatedBy: string | null;
}

export const MAYOR_TITLE_MAX = 40;
export const MAYOR_NAME_MAX = 60;

const CONTROL = /[\p{Cc}\p{Cs}\p{Co}]/u;

/** NFKC, whitespace runs as one space, trimmed: the form stored and printed. */
export function normalizeIssuerText(text: string): string {
  return text.normalize('NFKC').replace(/\s+/gu, ' ').trim();
}

/** The field errors of an issuer's text (paths body/mayorTitle, body/mayorName), empty when it can be printed. */
export function issuerFindings(input: { mayorTitle: string; mayorName: string }): FieldError[] {
  const errors: FieldError[] = [];
  for (const [key, max] of [
    ['mayorTitle', MAYOR_TITLE_MAX],
    ['mayorName', MAYOR_NAME_MAX],
  ] as const) {
    const raw = input[key];
    const value = normalizeIssuerText(raw);
    const field = `body/${key}`;
    if (CONTROL.test(raw)) errors.push(fieldError(field, 'character', { ja: '制御文字・外字は使用できません。', en: 'must not contain control or private-use characters' }));
    else if (value === '') errors.push(fieldError(field, 'required', { ja: '入力してください。', en: 'is required' }));
    else if ([...value].length > max) errors.push(fieldError(field, 'maxLength', { ja: `${max} 文字以下で入力してください。`, en: `must have at most ${max} characters` }));
    else if (missingGlyphs(defaultCertificateFont().regular, [value]).length > 0) {
      // Which character is not said: the message never echoes what was sent.
      errors.push(fieldError(field, 'glyph_missing', { ja: '証明書の書体で印字できない文字が含まれています。', en: 'contains a character the certificate font cannot print' }));
    }
  }
  return errors;
}

interface Row {
  municipality_code: string;
  mayor_title: string;
  mayor_name: string;
  updated_at: Date;
  updated_by: string | null;
}
const issuerFrom = (r: Row): CertificateIssuer => ({
  municipalityCode: r.municipality_code,
  mayorTitle: r.mayor_title,
  mayorName: r.mayor_name,
  updatedAt: r.updated_at.toISOString(),
  updatedBy: r.updated_by,
});

/** The municipality's issuer, or null when none is set. */
export async function certificateIssuer(control: pg.Pool | pg.ClientBase, municipalityCode: string): Promise<CertificateIssuer | null> {
  const { rows } = await control.query<Row>(
    'SELECT municipality_code, mayor_title, mayor_name, updated_at, updated_by FROM control.certificate_issuers WHERE municipality_code = $1',
    [municipalityCode],
  );
  return rows[0] ? issuerFrom(rows[0]) : null;
}

/**
 * Sets (or replaces) the mayor's title and name a municipality's certificates
 * print, e.g. `setCertificateIssuer(control, '131016', { mayorTitle: '千代田区長', mayorName: '千代田 一郎' })`.
 * Text is normalized (NFKC, single spaces); text that cannot be printed is
 * refused with `validation_failed` naming the field (body/mayorTitle,
 * body/mayorName) and the rule. The caller audits (the route records
 * `certificate_issuer_set`).
 */
export async function setCertificateIssuer(
  control: pg.Pool | pg.ClientBase,
  municipalityCode: string,
  input: { mayorTitle: string; mayorName: string; updatedBy?: string | null },
): Promise<CertificateIssuer> {
  const organization = await findOrganization(control, municipalityCode);
  // Only a municipality issues resident certificates (a prefecture or the Digital Agency has no register).
  if (!organization || !isMunicipalityKind(organization.kind)) throw new Problem('unknown_organization');
  const errors = issuerFindings(input);
  if (errors.length > 0) throw new Problem('validation_failed', errors);
  const { rows } = await control.query<Row>(
    `INSERT INTO control.certificate_issuers (municipality_code, mayor_title, mayor_name, updated_by)
     VALUES ($1, $2, $3, $4)
     ON CONFLICT (municipality_code) DO UPDATE SET mayor_title = EXCLUDED.mayor_title, mayor_name = EXCLUDED.mayor_name,
       updated_at = now(), updated_by = EXCLUDED.updated_by
     RETURNING municipality_code, mayor_title, mayor_name, updated_at, updated_by`,
    [municipalityCode, normalizeIssuerText(input.mayorTitle), normalizeIssuerText(input.mayorName), input.updatedBy ?? null],
  );
  return issuerFrom(rows[0]!);
}

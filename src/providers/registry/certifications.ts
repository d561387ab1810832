/**
 * Certifications: whether a service may hold a class of data, as decided by an
 * assessment against the class's profile. Decisions are appended, never
 * changed; the latest decided on or before a day is the one in force
 * (placement/policy.ts). `recordCertification` is how the assessment module
 * writes them; its caller records the audit entry (`certification_decided`,
 * naming the certification and the service) in the same unit of work.
 */
import { randomUUID } from 'node:crypto';
import { fieldError, Problem, type FieldError } from '../../platform/errors.js';
import { DATA_CLASSES, isDataClass, type DataClass } from './data-class.js';
import { isDay } from '../days.js';
import { CERTIFICATION_STATUSES, type Certification, type CertificationStatus } from './model.js';
import type { Db } from './store.js';

export interface CertificationInput {
  readonly serviceId: string;
  readonly dataClass: DataClass;
  readonly status: CertificationStatus;
  /** The last day a certification holds (required when certified, e.g. the day its registration lapses); null otherwise. */
  readonly expiresOn: string | null;
  /** The assessment the decision rests on. */
  readonly assessmentId?: string | null;
  /** A sentence on what it rests on (no personal data). */
  readonly basis?: string | null;
  /** The account that decided; null for a platform job. */
  readonly decidedBy: string | null;
  /** When it was decided (default: now). */
  readonly decidedAt?: Date;
}

interface Row {
  id: string;
  seq: string;
  service_id: string;
  data_class: DataClass;
  status: CertificationStatus;
  decided_at: Date;
  decided_on: string;
  expires_on: string | null;
  assessment_id: string | null;
  basis: string | null;
  decided_by: string | null;
}

const COLUMNS = `id, seq, service_id, data_class, status, decided_at, to_char(decided_at AT TIME ZONE 'Asia/Tokyo', 'YYYY-MM-DD') AS decided_on,
  to_char(expires_on, 'YYYY-MM-DD') AS expires_on, assessment_id, basis, decided_by`;

function certificationOf(r: Row): Certification {
  return {
    id: r.id,
    seq: Number(r.seq),
    serviceId: r.service_id,
    dataClass: r.data_class,
    status: r.status,
    decidedAt: r.decided_at.toISOString(),
    decidedOn: r.decided_on,
    expiresOn: r.expires_on,
    assessmentId: r.assessment_id,
    basis: r.basis,
    decidedBy: r.decided_by,
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function problemsOf(c: CertificationInput): FieldError[] {
  const errors: FieldError[] = [];
  if (!UUID.test(c.serviceId)) errors.push(fieldError('serviceId', 'uuid', { ja: 'UUID である必要があります。', en: 'must be a UUID' }));
  if (!isDataClass(c.dataClass)) {
    errors.push(fieldError('dataClass', 'data_class', { ja: `${DATA_CLASSES.join('・')} のいずれかです。`, en: `must be one of ${DATA_CLASSES.join(', ')}` }));
  }
  if (!CERTIFICATION_STATUSES.includes(c.status)) {
    errors.push(fieldError('status', 'status', { ja: `${CERTIFICATION_STATUSES.join('・')} のいずれかです。`, en: `must be one of ${CERTIFICATION_STATUSES.join(', ')}` }));
  }
  if (c.expiresOn !== null && !isDay(c.expiresOn)) errors.push(fieldError('expiresOn', 'date', { ja: '日付（YYYY-MM-DD）です。', en: 'must be a date (YYYY-MM-DD)' }));
  if (c.status === 'certified' && c.expiresOn === null) {
    errors.push(fieldError('expiresOn', 'required_when_certified', { ja: '認定には有効期限が必要です。', en: 'is required for a certification' }));
  }
  if (c.assessmentId != null && !UUID.test(c.assessmentId)) errors.push(fieldError('assessmentId', 'uuid', { ja: 'UUID である必要があります。', en: 'must be a UUID' }));
  if (c.basis != null && (c.basis.length < 1 || c.basis.length > 500)) {
    errors.push(fieldError('basis', 'length', { ja: '1〜500 文字です。', en: 'must have 1 to 500 characters' }));
  }
  return errors;
}

/** Appends a decision on a service's certification for a class of data. Throws validation_failed for a wrong input or an unknown service. */
export async function recordCertification(db: Db, c: CertificationInput): Promise<Certification> {
  const errors = problemsOf(c);
  if (errors.length > 0) throw new Problem('validation_failed', errors);
  try {
    const { rows } = await db.query<Row>(
      `INSERT INTO control.certifications (id, service_id, data_class, status, decided_at, expires_on, assessment_id, basis, decided_by)
       VALUES ($1, $2, $3, $4, coalesce($5, now()), $6, $7, $8, $9) RETURNING ${COLUMNS}`,
      [randomUUID(), c.serviceId, c.dataClass, c.status, c.decidedAt ?? null, c.expiresOn, c.assessmentId ?? null, c.basis ?? null, c.decidedBy],
    );
    return certificationOf(rows[0]!);
  } catch (err) {
    if ((err as { code?: string }).code === '23503') {
      throw new Problem('validation_failed', [fieldError('serviceId', 'known', { ja: '登録されていないサービスです。', en: 'is not a registered service' })]);
    }
    throw err;
  }
}

/** Decisions, oldest first: all of them, or a service's, or only those in force now (`current`: the latest per service and class). */
export async function listCertifications(db: Db, filter: { serviceId?: string; current?: boolean } = {}): Promise<Certification[]> {
  const { rows } = await db.query<Row>(
    filter.current
      ? `SELECT * FROM (SELECT DISTINCT ON (service_id, data_class) ${COLUMNS} FROM control.certifications
           WHERE ($1::uuid IS NULL OR service_id = $1) ORDER BY service_id, data_class, seq DESC) AS latest ORDER BY seq`
      : `SELECT ${COLUMNS} FROM control.certifications WHERE ($1::uuid IS NULL OR service_id = $1) ORDER BY seq`,
    [filter.serviceId ?? null],
  );
  return rows.map(certificationOf);
}

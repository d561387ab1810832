import { describe, expect, it } from 'vitest';
import { placementAlerts } from './alerts.js';
import { cell, certification, registration } from './test-fixtures.js';
import type { CellFacts } from './policy.js';

const placed = (municipalityCode: string, cellId = 'cell-a') => ({ municipalityCode, cellId, dataClass: 'my_number' as const });
const alerts = (c: CellFacts | null, on: string, withinDays?: number, codes = ['131016']) =>
  placementAlerts({ placements: codes.map((code) => placed(code)), cells: new Map(c ? [['cell-a', c]] : []), on, ...(withinDays !== undefined ? { withinDays } : {}) });

describe('placementAlerts', () => {
  it('says nothing while the cell stays covered beyond the window', () => {
    expect(alerts(cell(), '2024-01-15')).toEqual([]);
    expect(alerts(cell(), '2024-05-02')).toEqual([]); // 91 days before 2024-08-01
  });

  it('announces a lapse within 90 days with a dated plan, for every municipality on the cell', () => {
    const [first, second] = alerts(cell(), '2024-05-03', undefined, ['131016', '011002']);
    expect(second!.municipalityCode).toBe('131016');
    expect(first).toMatchObject({
      municipalityCode: '011002',
      cellId: 'cell-a',
      status: 'lapsing',
      reasons: ['registration_expired', 'certification_expired'],
      coveredUntil: '2024-07-31',
      lapsesOn: '2024-08-01',
      daysLeft: 90,
      plan: { deadline: '2024-07-31' },
      location: { providerName: '青空クラウド', serviceName: '青空 IaaS', regionCode: 'jp-east-1' },
      registrationIds: ['reg'],
      certificationIds: ['cert'],
    });
    expect(first!.plan.steps.map((s) => s.code)).toEqual(['renew_registration', 'reassess_service', 'move_to_certified_cell']);
    expect(first!.plan.steps[0]!.message.en).toContain('By 2024-07-31');
    expect(first!.plan.steps[0]!.message.ja).toContain('2024-07-31 までに');
  });

  it('the window is a parameter', () => {
    expect(alerts(cell(), '2024-07-01', 30)).toHaveLength(0);
    expect(alerts(cell(), '2024-07-02', 30)).toHaveLength(1);
  });

  it('a pending renewal keeps the registration: only the certification is left to renew', () => {
    const renewing = cell({ registrations: [registration({ renewalPendingSince: '2024-06-01' })] });
    const [alert] = alerts(renewing, '2024-06-15');
    expect(alert).toMatchObject({ status: 'lapsing', reasons: ['certification_expired'], lapsesOn: '2024-08-01' });
    expect(alert!.plan.steps.map((s) => s.code)).toEqual(['reassess_service', 'move_to_certified_cell']);
    const recertified = cell({
      registrations: [registration({ renewalPendingSince: '2024-06-01' })],
      certifications: [certification(), certification({ id: 'c2', seq: 2, decidedOn: '2024-06-10', expiresOn: '2025-07-31' })],
    });
    expect(alerts(recertified, '2024-06-15')).toEqual([]);
  });

  it('reports a lapse already happened, since when, and to move now', () => {
    const [alert] = alerts(cell(), '2024-08-10');
    expect(alert).toMatchObject({ status: 'lapsed', reasons: ['registration_expired', 'certification_expired'], lapsesOn: '2024-08-01', coveredUntil: '2024-07-31', daysLeft: -9 });
    expect(alert!.plan).toMatchObject({ deadline: '2024-08-01', steps: [{ code: 'move_now' }] });
    const [withdrawn] = alerts(cell({ registrations: [registration({ withdrawnOn: '2024-02-01' })] }), '2024-02-05');
    expect(withdrawn).toMatchObject({ status: 'lapsed', reasons: ['registration_withdrawn'], lapsesOn: '2024-02-01' });
    // A withdrawal announced for a later day is a lapse ahead.
    const [ahead] = alerts(cell({ registrations: [registration({ withdrawnOn: '2024-03-01' })] }), '2024-02-05');
    expect(ahead).toMatchObject({ status: 'lapsing', reasons: ['registration_withdrawn'], lapsesOn: '2024-03-01', daysLeft: 25 });
  });

  it('marks a cell never declared as unverified, with the step to declare it', () => {
    const [alert] = alerts(null, '2024-01-15');
    expect(alert).toMatchObject({ status: 'unverified', reasons: ['cell_undeclared'], lapsesOn: null, location: null, plan: { deadline: null, steps: [{ code: 'declare_cell_location' }] } });
  });

  it('orders lapsed, then lapsing soonest first, then unverified', () => {
    const out = placementAlerts({
      placements: [placed('011002', 'cell-x'), placed('131016', 'cell-a'), placed('141003', 'cell-b')],
      cells: new Map([
        ['cell-a', cell()],
        ['cell-b', { ...cell({ registrations: [registration({ withdrawnOn: '2024-06-01' })] }), cellId: 'cell-b' }],
      ]),
      on: '2024-06-15',
    });
    expect(out.map((a) => [a.municipalityCode, a.status])).toEqual([
      ['141003', 'lapsed'],
      ['131016', 'lapsing'],
      ['011002', 'unverified'],
    ]);
  });
});

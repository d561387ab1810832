/**
 * Child allowance over the API: which linkage subscription feeds the module
 * (the admin sets it), the claims (認定) clerks record, and each claim's
 * children, monthly amounts, payments and revisions. Ids, dates, months and
 * amounts only: names stay in the register. My Number routes of
 * child_allowance, from the municipality's My Number zone under a declared
 * legal purpose of the operation.
 */
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { Type } from 'typebox';
import { principalOf } from '../../identity/http.js';
import type { Role } from '../../identity/roles.js';
import { fieldError, Problem } from '../../platform/errors.js';
import { tenantOf, type App, type Platform } from '../../platform/http/server.js';
import { Cursor, Limit, Page, Uuid } from '../../platform/http/schemas.js';
import { todayInJapan } from '../../resident-register/changes.js';
import { recordAction } from '../../security/audit/record.js';
import { LOCK_CLASSES } from '../fed-by-linkage.js';
import { feedSettingsRoutes } from '../feed-settings-routes.js';
import { claimMonth, totalOf } from './claim-months.js';
import { planClaim, type ClaimRequest } from './claims.js';
import { CHILD_ALLOWANCE_FEED } from './consumer.js';
import { paymentSchedule } from './eligibility.js';
import { fiscalYearOf, isMonth, monthRange, monthsBetween } from './months.js';
import {
  claimById,
  claimChildren,
  countedByOtherClaims,
  householdHasOpenClaim,
  householdMembers,
  insertClaim,
  listClaims,
  revisionsOf,
  rosterEntries,
  type ClaimListPosition,
  type ClaimRecord,
} from './store.js';

const TAGS = ['child-allowance'];
const MY_NUMBER = { operation: 'child_allowance' } as const;
const READERS: Role[] = ['clerk', 'auditor'];
/** The longest range of months one answer computes. */
const MAX_MONTHS = 36;

const DateText = (description: string) => Type.String({ pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}$', description });
const MonthText = (description: string) => Type.String({ pattern: '^[0-9]{4}-(0[1-9]|1[0-2])$', description });

const ClaimSchema = Type.Object({
  id: Uuid,
  claimantId: Uuid,
  householdId: Uuid,
  claimedOn: Type.String({ description: '認定請求日 (YYYY-MM-DD)' }),
  startMonth: Type.String({ description: 'The first month paid (YYYY-MM): the month after the claim' }),
  status: Type.Union([Type.Literal('open'), Type.Literal('ended')]),
  endedMonth: Type.Union([Type.String(), Type.Null()], { description: 'The last month of entitlement once ended (消滅); null while open' }),
  endedOn: Type.Union([Type.String(), Type.Null()], { description: "The day the claimant's record was closed" }),
  endReason: Type.Union([Type.String(), Type.Null()], { description: 'moved_out, moved_abroad, died, removed_by_authority' }),
  endChangeId: Type.Union([Uuid, Type.Null()], { description: 'The register change that ended it' }),
  recordedBy: Uuid,
  recordedAt: Type.String(),
  updatedAt: Type.String(),
});

const ClaimDetailSchema = Type.Intersect([
  ClaimSchema,
  Type.Object({
    children: Type.Array(
      Type.Object({
        childId: Uuid,
        residentId: Type.Union([Uuid, Type.Null()], { description: 'null for a declared child with no record here' }),
        dateOfBirth: Type.String(),
        supported: Type.Union([Type.Boolean(), Type.Null()], { description: "true: the claimant declared bearing the child's living costs (counts past high-school age)" }),
        fromMonth: Type.String(),
        untilMonth: Type.Union([Type.String(), Type.Null()]),
        untilReason: Type.Union([Type.String(), Type.Null()], { description: 'moved_out, moved_abroad, died, removed_by_authority, left_household, date_of_birth_corrected' }),
        addedByChangeId: Type.Union([Uuid, Type.Null()], { description: 'null: counted from the claim itself' }),
        removedByChangeId: Type.Union([Uuid, Type.Null()]),
      }),
      { description: 'Periods of months each child counts for the claim' },
    ),
    months: Type.Array(
      Type.Object({
        month: Type.String(),
        entitled: Type.Boolean({ description: 'Within the claim (from its start month, through its end)' }),
        total: Type.Integer(),
        children: Type.Array(
          Type.Object({
            childId: Uuid,
            reason: Type.String({ description: 'paid, not_yet_entitled, past_payment_age_counted, past_counting_age, not_supported_by_claimant' }),
            band: Type.Union([Type.String(), Type.Null()]),
            birthOrder: Type.Union([Type.Integer(), Type.Null()]),
            monthlyAmount: Type.Integer(),
          }),
        ),
      }),
    ),
    payments: Type.Array(Type.Object({ paymentMonth: Type.String(), covers: Type.Array(Type.String()), amount: Type.Integer() }), {
      description: 'The months asked for, grouped by payment month (支払期月)',
    }),
    revisions: Type.Array(
      Type.Object({
        changeId: Uuid,
        cause: Type.String({ description: 'The kind of the register change (birth, move_out, …)' }),
        effectiveMonth: Type.String(),
        amountBefore: Type.Integer(),
        amountAfter: Type.Integer(),
        childrenPaid: Type.Integer(),
        childrenCounted: Type.Integer(),
        recordedAt: Type.String(),
      }),
      { description: 'Every change of the amount (額改定), in the order the register changes were applied' },
    ),
  }),
]);

const summary = (c: ClaimRecord) => ({ ...c, status: c.endedMonth === null ? ('open' as const) : ('ended' as const) });

/** The claim with its children, the months asked for, their payments and its revisions. */
async function claimDetail(db: pg.ClientBase, claim: ClaimRecord, range: { from: string; to: string }) {
  const rows = (await claimChildren(db, [claim.id])).get(claim.id) ?? [];
  const state = { period: { startMonth: claim.startMonth, endedMonth: claim.endedMonth }, children: rows };
  const months = monthRange(range.from, range.to).map((month) => {
    const allowance = claimMonth(state, month);
    return {
      month,
      entitled: allowance !== null,
      total: totalOf(allowance),
      children: (allowance?.children ?? []).map((c) => ({ childId: c.residentId, reason: c.reason, band: c.band, birthOrder: c.birthOrder, monthlyAmount: c.monthlyAmount })),
    };
  });
  return {
    ...summary(claim),
    children: rows.map((r) => ({
      childId: r.childId,
      residentId: r.resident ? r.childId : null,
      dateOfBirth: r.dateOfBirth,
      supported: r.supported,
      fromMonth: r.fromMonth,
      untilMonth: r.untilMonth,
      untilReason: r.untilReason,
      addedByChangeId: r.addedByChangeId,
      removedByChangeId: r.removedByChangeId,
    })),
    months,
    payments: paymentSchedule(months.map((m) => ({ month: m.month, total: m.total }))).map((p) => ({ ...p, covers: [...p.covers] })),
    revisions: await revisionsOf(db, claim.id),
  };
}

/** The residents an answer about a claim names: the claimant and the children with a record here. */
const residentsOf = (claim: ClaimRecord, children: readonly { residentId: string | null }[]) => [
  ...new Set([claim.claimantId, ...children.flatMap((c) => (c.residentId ? [c.residentId] : []))]),
];

/** The months asked for: both or neither bound, at most MAX_MONTHS; by default the current fiscal year (年度). */
function monthsAsked(query: { from?: string | undefined; to?: string | undefined }): { from: string; to: string } {
  const year = fiscalYearOf(todayInJapan());
  const from = query.from ?? (query.to ? undefined : year.from);
  const to = query.to ?? (query.from ? undefined : year.to);
  if (!from || !to || !isMonth(from) || !isMonth(to)) {
    throw new Problem('validation_failed', [fieldError(query.from ? 'querystring/to' : 'querystring/from', 'required', { ja: 'from と to は両方指定してください。', en: 'give both from and to, or neither' })]);
  }
  const n = monthsBetween(from, to);
  if (n < 1 || n > MAX_MONTHS) {
    throw new Problem('validation_failed', [
      fieldError('querystring/to', 'range', { ja: `to は from 以後、${MAX_MONTHS}か月以内としてください。`, en: `must be on or after from, at most ${MAX_MONTHS} months` }),
    ]);
  }
  return { from, to };
}

/** Claims and the consumer's batches of one municipality take turns (the batch loop's lock): a claim never misses an event applied meanwhile. */
const lockAgainstConsumer = (db: pg.ClientBase, municipalityCode: string) =>
  db.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [LOCK_CLASSES.childAllowance, municipalityCode]);

export function childAllowanceRoutes(app: App, platform: Platform): void {
  feedSettingsRoutes(app, platform, CHILD_ALLOWANCE_FEED, {
    path: '/v1/child-allowance/settings',
    tags: TAGS,
    title: 'child allowance',
    resource: 'child_allowance_settings',
    unfitProblem: 'child_allowance_subscription_unfit',
  });

  app.post(
    '/v1/child-allowance/claims',
    {
      config: { access: { roles: ['clerk'], tenant: true, myNumber: MY_NUMBER } },
      schema: {
        tags: TAGS,
        summary: '認定請求: record a claim for a resident parent; counts the children of the household from the month after the claim',
        body: Type.Object(
          {
            claimantId: Uuid,
            claimedOn: DateText('認定請求日 (YYYY-MM-DD), not in the future, from 2024-09-01'),
            olderChildren: Type.Optional(
              Type.Array(
                Type.Union([
                  Type.Object({ residentId: Uuid }, { additionalProperties: false, description: "A child of the claimant's household" }),
                  Type.Object({ dateOfBirth: DateText('A child living elsewhere, past high-school age') }, { additionalProperties: false }),
                ]),
                { maxItems: 10, description: 'Children whose living costs the claimant bears (監護相当・生計費の負担): counted for birth order up to the school-year end after 22' },
              ),
            ),
          },
          { additionalProperties: false },
        ),
        response: { 201: ClaimDetailSchema },
      },
    },
    async (request, reply) => {
      const tenant = tenantOf(request);
      const principal = principalOf(request);
      const body: ClaimRequest = request.body;
      const detail = await tenant.run(async (db) => {
        await lockAgainstConsumer(db, tenant.municipalityCode);
        const claimant = (await rosterEntries(db, [body.claimantId])).get(body.claimantId) ?? null;
        const members = claimant ? await householdMembers(db, [claimant.householdId]) : [];
        const plan = planClaim(body, {
          today: todayInJapan(),
          claimant,
          members,
          householdHasOpenClaim: claimant ? await householdHasOpenClaim(db, claimant.householdId) : false,
          countedElsewhere: await countedByOtherClaims(
            db,
            members.map((m) => m.residentId),
            null,
          ),
          newId: randomUUID,
        });
        if (!plan.ok) throw new Problem(plan.malformed ? 'validation_failed' : 'child_allowance_claim_rejected', plan.errors);
        const id = randomUUID();
        await insertClaim(db, { id, claimantId: body.claimantId, householdId: plan.householdId, claimedOn: body.claimedOn, startMonth: plan.startMonth, recordedBy: principal.accountId }, plan.children, randomUUID);
        const claim = (await claimById(db, id))!;
        const view = await claimDetail(db, claim, monthsAsked({}));
        // In the transaction: no entry, no claim.
        await recordAction(platform, request, 'personal_data_change', {
          purpose: tenant.purpose,
          records: [
            { resource: 'child_allowance_claims', ids: [id] },
            { resource: 'residents', ids: residentsOf(claim, view.children) },
          ],
        });
        return view;
      });
      return reply.status(201).send(detail);
    },
  );

  app.get(
    '/v1/child-allowance/claims',
    {
      config: { access: { roles: READERS, tenant: true, myNumber: MY_NUMBER } },
      schema: {
        tags: TAGS,
        summary: 'Claims (認定) in claim-date order: ids, dates and months (names are in the register)',
        querystring: Type.Object(
          {
            householdId: Type.Optional(Uuid),
            openOnly: Type.Optional(Type.Boolean({ description: 'Only the claims still open' })),
            limit: Limit,
            cursor: Type.Optional(Cursor),
          },
          { additionalProperties: false },
        ),
        response: { 200: Page(ClaimSchema) },
      },
    },
    async (request) => {
      const tenant = tenantOf(request);
      const { householdId, openOnly, limit, cursor } = request.query;
      const filter = { householdId: householdId ?? null, openOnly: openOnly ?? false };
      const listing = `child-allowance-claims:${JSON.stringify(filter)}`;
      const after = cursor ? platform.cursors.decode<{ d: string; i: string }>(tenant.municipalityCode, listing, cursor) : undefined;
      return tenant.run(async (db) => {
        const position: ClaimListPosition | undefined = after ? { claimedOn: after.d, id: after.i } : undefined;
        const { items, total } = await listClaims(db, { householdId, openOnly }, { limit, after: position });
        await recordAction(platform, request, 'personal_data_read', {
          purpose: tenant.purpose,
          records: [
            { resource: 'child_allowance_claims', ids: items.map((c) => c.id) },
            { resource: 'residents', ids: [...new Set(items.map((c) => c.claimantId))] },
          ],
        });
        const last = items.at(-1);
        return {
          items: items.map(summary),
          total,
          nextCursor: last && items.length === limit ? platform.cursors.encode(tenant.municipalityCode, listing, { d: last.claimedOn, i: last.id }) : null,
        };
      });
    },
  );

  app.get(
    '/v1/child-allowance/claims/:id',
    {
      config: { access: { roles: READERS, tenant: true, myNumber: MY_NUMBER } },
      schema: {
        tags: TAGS,
        summary: 'A claim: its children, the amount of each month asked for (default: the current fiscal year), the payments and the revisions',
        params: Type.Object({ id: Uuid }, { additionalProperties: false }),
        querystring: Type.Object(
          { from: Type.Optional(MonthText('First month (YYYY-MM)')), to: Type.Optional(MonthText('Last month (YYYY-MM), at most 36 months after from')) },
          { additionalProperties: false },
        ),
        response: { 200: ClaimDetailSchema },
      },
    },
    async (request) => {
      const tenant = tenantOf(request);
      const range = monthsAsked(request.query);
      return tenant.run(async (db) => {
        const claim = await claimById(db, request.params.id);
        // Another municipality's claim is answered exactly like one that does not exist.
        if (!claim) throw new Problem('not_found');
        const view = await claimDetail(db, claim, range);
        await recordAction(platform, request, 'personal_data_read', {
          purpose: tenant.purpose,
          records: [
            { resource: 'child_allowance_claims', ids: [claim.id] },
            { resource: 'residents', ids: residentsOf(claim, view.children) },
          ],
        });
        return view;
      });
    },
  );
}

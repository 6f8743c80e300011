import { Client } from 'pg';
import { AppError, AppErrorCode } from '../../src/core/errors';
import { DisputeRepository } from '../../src/core/dispute/dispute.repository';
import { DisputeService } from '../../src/core/dispute/dispute.service';
import { RaiseDispute } from '../../src/core/dispute/dispute';
import { StateTransitionRepository } from '../../src/core/state/state-transition.repository';
import { TransitionWriter } from '../../src/core/state/transition-writer';
import { ManualClock } from '../../src/lib/clock';
import { Database, sqlStateOf } from '../../src/lib/db/database';
import { createTestDatabase } from '../support/databases';

/**
 * Disputes in the core (src/core/dispute): raised by a partner about its own granted loan or application, once per
 * partner reference; handled by the staff through the dispute's transition table, every move in its history.
 */

let created: Awaited<ReturnType<typeof createTestDatabase>>;
let db: Database;
let raw: Client;
let disputes: DisputeService;
const clock = new ManualClock();

beforeAll(async () => {
  created = await createTestDatabase();
  db = new Database(created.url, 4);
  disputes = new DisputeService(db, new DisputeRepository(db), new TransitionWriter(new StateTransitionRepository(db)), clock);
  raw = new Client({ connectionString: created.url });
  await raw.connect();
  // p1 has a disbursed loan (PA1, account l1), an application in progress (ext-3, no loan id yet) and one rejected
  // before signing (PA5: no loan id was ever issued); p2 has a disbursed loan (PA2, account l2).
  await raw.query(`
    INSERT INTO partner (id, display_name, protocol, updated_at) VALUES ('p1', 'P1', 'OCEN', now()), ('p2', 'P2', 'OCEN', now());
    INSERT INTO application (id, partner_id, external_reference, lender_reference, product_id, phone_hash, pan_hash, pan_last4, applicant_ciphertext,
      loan_purpose, requested_amount_micros, approval_state, application_state, updated_at) VALUES
      ('a1', 'p1', 'ext-1', 'PA1', 'PERSONAL_LOAN', 'h', 'h', '1234', 'x', 'OTHER', 100000000000, 'APPROVED', 'DISBURSED', now()),
      ('a2', 'p2', 'ext-2', 'PA2', 'PERSONAL_LOAN', 'h', 'h', '1234', 'x', 'OTHER', 100000000000, 'APPROVED', 'DISBURSED', now()),
      ('a3', 'p1', 'ext-3', 'PA3', 'PERSONAL_LOAN', 'h', 'h', '1234', 'x', 'OTHER', 100000000000, 'APPROVED', 'IN_PROGRESS', now()),
      ('a5', 'p1', 'ext-5', 'PA5', 'PERSONAL_LOAN', 'h', 'h', '1234', 'x', 'OTHER', 100000000000, 'APPROVED', 'REJECTED', now());
    INSERT INTO loan_account (id, application_id, state, sanctioned_micros, disbursed_micros, interest_rate_e5, tenure_months, emi_micros,
      outstanding_principal_micros, disbursement_reference, disbursed_at, updated_at)
      SELECT 'l' || n, 'a' || n, 'ACTIVE', 100000000000, 97640000000, 1600000, 12, 9073090000, 100000000000, 'DSB' || n, now(), now() FROM generate_series(1, 2) n;
  `);
});
afterAll(async () => {
  await raw?.end();
  await db?.close();
  await created?.drop();
});

let counter = 0;
const reference = () => `D-${++counter}`;

const aboutLoan = (overrides: Partial<RaiseDispute> = {}): RaiseDispute => ({
  partnerId: 'p1',
  partnerReference: reference(),
  subject: { kind: 'LOAN', lenderReference: 'PA1' },
  category: 'OTHER',
  description: 'EMI of December debited twice',
  evidenceUrl: 'https://la.example.com/disputes/evidence/1',
  ...overrides,
});

const rowsWith = async (partnerReference: string) => (await raw.query('SELECT id FROM dispute WHERE partner_reference = $1', [partnerReference])).rows.length;
const codeOf = (promise: Promise<unknown>) => promise.then(() => 'resolved', (err: unknown) => (err instanceof AppError ? err.code : err));

describe('raising a dispute', () => {
  it('when a partner raises a dispute about its loan, then it is RAISED, about the application and its loan account, and the history starts with it', async () => {
    const { dispute, created: isNew } = await disputes.raise(aboutLoan());
    expect(isNew).toBe(true);
    expect(dispute).toMatchObject({
      partnerId: 'p1', applicationId: 'a1', applicationReference: 'ext-1', lenderReference: 'PA1', loanId: 'l1', raisedBy: 'PARTNER', category: 'OTHER',
      description: 'EMI of December debited twice', evidenceUrl: 'https://la.example.com/disputes/evidence/1', state: 'RAISED', resolution: null, closedAt: null,
    });
    const history = await disputes.history(dispute.id);
    expect(history.map((h) => [h.fromState, h.toState, h.reason])).toEqual([[null, 'RAISED', 'raised by partner p1']]);
  });

  it('when the same dispute is raised again with the same reference, then the first one is answered and nothing new is recorded', async () => {
    const request = aboutLoan();
    const first = await disputes.raise(request);
    const again = await disputes.raise({ ...request, description: `  ${request.description} ` });
    expect(again).toEqual({ dispute: first.dispute, created: false });
    expect(await rowsWith(request.partnerReference)).toBe(1);
    expect(await disputes.history(first.dispute.id)).toHaveLength(1);
  });

  it('when the dispute raised again has been acknowledged meanwhile, then it is answered as it stands now', async () => {
    const request = aboutLoan();
    const { dispute } = await disputes.raise(request);
    await disputes.acknowledge(dispute.id, { staffId: 'staff-1' });
    const again = await disputes.raise(request);
    expect(again.created).toBe(false);
    expect(again.dispute.state).toBe('ACKNOWLEDGED');
  });

  it('when two requests raise the same dispute at the same moment, then one dispute is recorded, and a retry of the loser answers it', async () => {
    const request = aboutLoan();
    const outcomes = await Promise.allSettled([disputes.raise(request), disputes.raise(request)]);
    for (const outcome of outcomes) {
      if (outcome.status === 'rejected') expect((outcome.reason as AppError).code).toBe(AppErrorCode.CONCURRENT_MODIFICATION);
    }
    expect(outcomes.filter((o) => o.status === 'fulfilled' && o.value.created)).toHaveLength(1);
    expect(await rowsWith(request.partnerReference)).toBe(1);
    expect((await disputes.raise(request)).created).toBe(false);
  });

  it('when a partner reuses its reference for another loan or other details, then it is refused with DISPUTE_REFERENCE_REUSED and nothing is recorded', async () => {
    const request = aboutLoan();
    await disputes.raise(request);
    expect(await codeOf(disputes.raise({ ...request, subject: { kind: 'APPLICATION', externalReference: 'ext-3' } }))).toBe(AppErrorCode.DISPUTE_REFERENCE_REUSED);
    expect(await codeOf(disputes.raise({ ...request, description: 'Another complaint' }))).toBe(AppErrorCode.DISPUTE_REFERENCE_REUSED);
    expect(await codeOf(disputes.raise({ ...request, category: 'CHARGES' }))).toBe(AppErrorCode.DISPUTE_REFERENCE_REUSED);
    expect(await rowsWith(request.partnerReference)).toBe(1);
  });

  it('when two partners use the same reference, then each has its own dispute (references are unique per partner)', async () => {
    const partnerReference = reference();
    const mine = await disputes.raise(aboutLoan({ partnerReference }));
    const theirs = await disputes.raise(aboutLoan({ partnerId: 'p2', partnerReference, subject: { kind: 'LOAN', lenderReference: 'PA2' } }));
    expect(theirs.created).toBe(true);
    expect(theirs.dispute.id).not.toBe(mine.dispute.id);
    expect(theirs.dispute).toMatchObject({ partnerId: 'p2', applicationId: 'a2', loanId: 'l2' });
  });

  it('when a partner raises a dispute about another partner\'s loan or application, then it is refused as NOT_FOUND and nothing is recorded', async () => {
    const onLoan = aboutLoan({ subject: { kind: 'LOAN', lenderReference: 'PA2' } });
    const onApplication = aboutLoan({ subject: { kind: 'APPLICATION', externalReference: 'ext-2' } });
    const error = await disputes.raise(onLoan).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: AppErrorCode.NOT_FOUND, fields: ['loanReference'] });
    expect(await codeOf(disputes.raise(onApplication))).toBe(AppErrorCode.NOT_FOUND);
    expect(await rowsWith(onLoan.partnerReference)).toBe(0);
    expect(await rowsWith(onApplication.partnerReference)).toBe(0);
  });

  it('when the loan named has not been granted yet, then it is NOT_FOUND; the application itself may be disputed, without a loan account', async () => {
    expect(await codeOf(disputes.raise(aboutLoan({ subject: { kind: 'LOAN', lenderReference: 'PA3' } })))).toBe(AppErrorCode.NOT_FOUND);
    expect(await codeOf(disputes.raise(aboutLoan({ subject: { kind: 'LOAN', lenderReference: 'PA5' } })))).toBe(AppErrorCode.NOT_FOUND);
    const { dispute } = await disputes.raise(aboutLoan({ subject: { kind: 'APPLICATION', externalReference: 'ext-3' }, category: 'LOAN_TERMS' }));
    expect(dispute).toMatchObject({ applicationId: 'a3', loanId: null, category: 'LOAN_TERMS' });
  });

  it.each([
    ['a blank reference', { partnerReference: ' ' }, AppErrorCode.MISSING_REQUIRED_FIELD, 'disputeReference'],
    ['a reference over 100 characters', { partnerReference: 'D'.repeat(101) }, AppErrorCode.INVALID_FIELD_VALUE, 'disputeReference'],
    ['no description', { description: '' }, AppErrorCode.MISSING_REQUIRED_FIELD, 'disputeDescription'],
    ['a description over 2000 characters', { description: 'x'.repeat(2001) }, AppErrorCode.INVALID_FIELD_VALUE, 'disputeDescription'],
    ['an evidence link that is not http(s)', { evidenceUrl: 'javascript:alert(1)' }, AppErrorCode.INVALID_FIELD_VALUE, 'evidenceUrl'],
    ['an unknown category', { category: 'BILLING' as never }, AppErrorCode.INVALID_FIELD_VALUE, 'disputeCategory'],
    ['no loan reference', { subject: { kind: 'LOAN' as const, lenderReference: '' } }, AppErrorCode.MISSING_REQUIRED_FIELD, 'loanReference'],
  ])('when raised with %s, then it is refused naming the field and nothing is recorded', async (_case, overrides, code, field) => {
    const request = aboutLoan(overrides as Partial<RaiseDispute>);
    const error = await disputes.raise(request).catch((e: unknown) => e);
    expect(error).toMatchObject({ code, fields: [field] });
    expect(await rowsWith(request.partnerReference)).toBe(0);
  });
});

describe('reading a dispute\'s status', () => {
  it('when the partner asks by its reference, then it gets its dispute; another partner asking by the same reference gets NOT_FOUND', async () => {
    const request = aboutLoan();
    const { dispute } = await disputes.raise(request);
    expect(await disputes.status('p1', request.partnerReference)).toEqual(dispute);
    expect(await codeOf(disputes.status('p2', request.partnerReference))).toBe(AppErrorCode.NOT_FOUND);
    expect(await codeOf(disputes.status('p1', 'D-unknown'))).toBe(AppErrorCode.NOT_FOUND);
  });
});

describe('the staff handling a dispute', () => {
  const raised = async () => (await disputes.raise(aboutLoan())).dispute;

  it('when acknowledged then resolved, then it is RESOLVED with the note and when, and the history records each move and who made it', async () => {
    const dispute = await raised();
    const acknowledged = await disputes.acknowledge(dispute.id, { staffId: 'staff-7' });
    expect(acknowledged).toMatchObject({ state: 'ACKNOWLEDGED', resolution: null, closedAt: null });
    expect(acknowledged.acknowledgedAt).toBeInstanceOf(Date);
    const resolved = await disputes.resolve(dispute.id, { staffId: 'staff-8', resolution: 'The second debit was refunded on 5 December.' });
    expect(resolved).toMatchObject({ state: 'RESOLVED', resolution: 'The second debit was refunded on 5 December.' });
    expect(resolved.closedAt).toBeInstanceOf(Date);
    expect((await disputes.history(dispute.id)).map((h) => [h.fromState, h.toState, h.reason])).toEqual([
      [null, 'RAISED', 'raised by partner p1'],
      ['RAISED', 'ACKNOWLEDGED', 'acknowledged by staff staff-7'],
      ['ACKNOWLEDGED', 'RESOLVED', 'resolved by staff staff-8'],
    ]);
    expect(await disputes.status('p1', dispute.partnerReference)).toEqual(resolved);
  });

  it('when a dispute that needs no investigation is rejected straight away, then it is REJECTED with the note', async () => {
    const dispute = await raised();
    const rejected = await disputes.reject(dispute.id, { staffId: 'staff-7', resolution: 'Duplicate of D-1.' });
    expect(rejected).toMatchObject({ state: 'REJECTED', resolution: 'Duplicate of D-1.' });
    expect((await disputes.history(dispute.id)).map((h) => h.toState)).toEqual(['RAISED', 'REJECTED']);
  });

  it.each([
    ['resolved before it is acknowledged', [], (id: string) => disputes.resolve(id, { staffId: 's', resolution: 'done' }), 'RAISED'],
    ['acknowledged twice', ['acknowledge'], (id: string) => disputes.acknowledge(id, { staffId: 's' }), 'ACKNOWLEDGED'],
    ['rejected once resolved', ['acknowledge', 'resolve'], (id: string) => disputes.reject(id, { staffId: 's', resolution: 'no' }), 'RESOLVED'],
    ['acknowledged once rejected', ['reject'], (id: string) => disputes.acknowledge(id, { staffId: 's' }), 'REJECTED'],
  ] as const)('when %s, then it is refused with ILLEGAL_STATE_TRANSITION and neither the dispute nor its history changes', async (_case, before, action, state) => {
    const dispute = await raised();
    for (const step of before) {
      if (step === 'acknowledge') await disputes.acknowledge(dispute.id, { staffId: 's' });
      else await disputes[step](dispute.id, { staffId: 's', resolution: 'note' });
    }
    const historyBefore = await disputes.history(dispute.id);
    const stateBefore = await disputes.get(dispute.id);
    expect(await codeOf(action(dispute.id))).toBe(AppErrorCode.ILLEGAL_STATE_TRANSITION);
    expect(stateBefore.state).toBe(state);
    expect(await disputes.get(dispute.id)).toEqual(stateBefore);
    expect(await disputes.history(dispute.id)).toEqual(historyBefore);
  });

  it('when resolved without a note, then it is refused with MISSING_REQUIRED_FIELD and stays as it was', async () => {
    const dispute = await raised();
    await disputes.acknowledge(dispute.id, { staffId: 's' });
    const error = await disputes.resolve(dispute.id, { staffId: 's', resolution: '  ' }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: AppErrorCode.MISSING_REQUIRED_FIELD, fields: ['resolution'] });
    expect((await disputes.get(dispute.id)).state).toBe('ACKNOWLEDGED');
  });

  it('when a dispute is unknown, then the staff get NOT_FOUND', async () => {
    expect(await codeOf(disputes.acknowledge('00000000-0000-0000-0000-000000000000', { staffId: 's' }))).toBe(AppErrorCode.NOT_FOUND);
  });

  it('lists the open disputes oldest first, without the closed ones', async () => {
    const open = await raised();
    const closed = await raised();
    await disputes.reject(closed.id, { staffId: 's', resolution: 'no' });
    const ids = (await disputes.open(1000)).map((d) => d.id);
    expect(ids).toContain(open.id);
    expect(ids).not.toContain(closed.id);
  });

  it('the database itself refuses a dispute closed without a resolution (whatever the code does)', async () => {
    const dispute = await raised();
    const error = await raw.query(`UPDATE dispute SET state = 'RESOLVED', closed_at = now() WHERE id = $1`, [dispute.id]).catch((e: unknown) => e);
    expect(sqlStateOf(error)).toBe('23514');
    expect((await disputes.get(dispute.id)).state).toBe('RAISED');
  });
});

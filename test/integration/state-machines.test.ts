import { randomUUID } from 'node:crypto';
import { AppError, AppErrorCode } from '../../src/core/errors';
import { approvalState } from '../../src/core/application/approval-state';
import { applicationState } from '../../src/core/application/application-state';
import { kycState } from '../../src/core/kyc/kyc-state';
import { mandateState } from '../../src/core/mandate/mandate-state';
import { loanState } from '../../src/core/loan/loan-state';
import { disbursementState } from '../../src/core/loan/disbursement-state';
import { repaymentState } from '../../src/core/loan/repayment-state';
import { consentState } from '../../src/core/consent/consent-state';
import { disputeState } from '../../src/core/dispute/dispute-state';
import { StateColumn } from '../../src/core/state/transition-writer';
import { TestApp, startTestApp } from '../support/test-app';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ worker: false });
});
afterAll(() => t.stop());

const TABLES: Array<StateColumn<string>> = [approvalState, applicationState, kycState, mandateState, loanState, disbursementState, repaymentState, consentState, disputeState] as Array<StateColumn<string>>;

function pairs(target: StateColumn<string>) {
  const states = target.machine.states;
  const all = states.flatMap((from) => states.map((to) => [from, to] as const));
  return {
    legal: all.filter(([from, to]) => target.machine.can(from, to)),
    illegal: all.filter(([from, to]) => !target.machine.can(from, to)),
  };
}

async function createApplication(overrides: Record<string, unknown> = {}): Promise<string> {
  const id = randomUUID();
  await t.services.db.prisma.application.create({
    data: {
      id,
      partnerId: 'gpay',
      externalReference: `G-${id}`,
      lenderReference: `P-${id}`,
      productId: 'PERSONAL_LOAN',
      phoneHash: 'h',
      panHash: 'h',
      panLast4: '1234',
      applicantCiphertext: 'x',
      loanPurpose: 'OTHER',
      requestedAmountMicros: 1n,
      approvalState: 'IN_PROCESS',
      applicationState: 'CREDIT_APPROVAL_PENDING',
      ...overrides,
    },
  });
  return id;
}

async function createLoanAccount(state: string): Promise<string> {
  const id = randomUUID();
  await t.services.db.prisma.loanAccount.create({
    data: {
      id, accountTokenHash: id, applicationId: await createApplication(), productId: 'PERSONAL_LOAN', productVersion: 1, state: state as never, sanctionedMicros: 1n, disbursedMicros: 1n,
      interestRateE5: 1, tenureMonths: 1, emiMicros: 1n, outstandingPrincipalMicros: 1n, disbursementReference: id, disbursedAt: new Date(), disbursedOn: new Date('2026-01-01T00:00:00Z'),
    },
  });
  return id;
}

/** A row of the aggregate's table in state `state`. */
async function entityIn(target: StateColumn<string>, state: string): Promise<string> {
  const db = t.services.db.prisma;
  switch (target.model) {
    case 'application':
      return createApplication({ [target.column]: state });
    case 'disbursement': {
      const id = randomUUID();
      await db.disbursement.create({ data: { id, applicationId: await createApplication(), submissionId: id, reference: `DSB-${id}`, amountMicros: 1n, state: state as never, requestedAt: new Date() } });
      return id;
    }
    case 'kyc': {
      const id = randomUUID();
      await db.kyc.create({ data: { id, applicationId: await createApplication(), state: state as never, eligibleMethods: ['EKYC'], urlTokenHash: id, urlTokenExpiresAt: new Date() } });
      return id;
    }
    case 'repaymentMandate': {
      const id = randomUUID();
      await db.repaymentMandate.create({ data: { id, applicationId: await createApplication(), state: state as never, urlTokenHash: id, authCodeHash: 'x', linkExpiresAt: new Date() } });
      return id;
    }
    case 'aaConsent': {
      const id = randomUUID();
      await db.aaConsent.create({ data: { id, partnerId: 'gpay', state: state as never, fetchType: 'ONETIME', vuaCiphertext: 'x', applications: { create: [{ applicationId: await createApplication() }] } } });
      return id;
    }
    case 'loanAccount':
      return createLoanAccount(state);
    case 'dispute': {
      const id = randomUUID();
      const closed = state === 'RESOLVED' || state === 'REJECTED';
      await db.dispute.create({
        data: {
          id, partnerId: 'gpay', partnerReference: `D-${id}`, applicationId: await createApplication(), raisedBy: 'PARTNER', category: 'OTHER', description: 'test', state: state as never,
          acknowledgedAt: state === 'ACKNOWLEDGED' ? new Date() : null, resolution: closed ? 'test' : null, closedAt: closed ? new Date() : null,
        },
      });
      return id;
    }
    case 'loanRepayment': {
      const id = randomUUID();
      await db.loanRepayment.create({ data: { id, loanId: await createLoanAccount('ACTIVE'), reference: `RPY-${id}`, amountMicros: 1n, method: 'UPI', state: state as never, requestedAt: new Date() } });
      return id;
    }
  }
}

/** The columns a move to `to` must set with it (the database refuses it otherwise). */
function changesFor(target: StateColumn<string>, to: string): Record<string, unknown> {
  if (target.model !== 'dispute') return {};
  if (to === 'ACKNOWLEDGED') return { acknowledgedAt: new Date() };
  return to === 'RESOLVED' || to === 'REJECTED' ? { resolution: 'test', closedAt: new Date() } : {};
}

async function stateOf(target: StateColumn<string>, id: string): Promise<string> {
  const row = await (t.services.db.prisma as unknown as Record<string, { findUniqueOrThrow(a: unknown): Promise<Record<string, string>> }>)[target.model].findUniqueOrThrow({ where: { id } });
  return row[target.column];
}

describe.each(TABLES.map((target) => [target.machine.aggregate, target] as const))('the %s transition table', (_name, target) => {
  const { legal, illegal } = pairs(target);

  it('has terminal states that allow no move, and every state reachable from an initial state', () => {
    const reachable = new Set<string>(target.machine.initial);
    for (let grew = true; grew; ) {
      grew = false;
      for (const [from, to] of legal) if (reachable.has(from) && !reachable.has(to)) {
        reachable.add(to);
        grew = true;
      }
    }
    expect([...reachable].sort()).toEqual([...target.machine.states].sort());
  });

  it.each(illegal.map(([from, to]) => [from, to]))('when asked to move from %s to %s, then the writer refuses and changes nothing', async (from, to) => {
    const id = await entityIn(target, from);
    const error = await t.services.transitions.move(target, id, from, to).catch((e) => e);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe(AppErrorCode.ILLEGAL_STATE_TRANSITION);
    expect(await stateOf(target, id)).toBe(from);
    expect(await t.services.transitions.history(target.machine.aggregate, id)).toHaveLength(0);
  });

  it.each(legal.map(([from, to]) => [from, to]))('when moved from %s to %s, then the state changes and the history records it', async (from, to) => {
    const id = await entityIn(target, from);
    await t.services.transitions.move(target, id, from, to, changesFor(target, to), 'test');
    expect(await stateOf(target, id)).toBe(to);
    const history = await t.services.transitions.history(target.machine.aggregate, id);
    expect(history.map((h) => [h.fromState, h.toState, h.reason])).toEqual([[from, to, 'test']]);
  });

  it('when the row is no longer in the expected state (a concurrent writer won), then the move is refused with CONCURRENT_MODIFICATION', async () => {
    const [from, to] = legal[0];
    const other = target.machine.states.find((s) => s !== from)!;
    const id = await entityIn(target, other);
    const error = await t.services.transitions.move(target, id, from, to).catch((e) => e);
    expect((error as AppError).code).toBe(AppErrorCode.CONCURRENT_MODIFICATION);
    expect(await stateOf(target, id)).toBe(other);
  });

  it('refuses to start a new row in a non-initial state', async () => {
    const nonInitial = target.machine.states.filter((s) => !target.machine.initial.includes(s));
    for (const state of nonInitial) {
      await expect(t.services.transitions.recordInitial(target, randomUUID(), state)).rejects.toMatchObject({ code: AppErrorCode.ILLEGAL_STATE_TRANSITION });
    }
  });
});

import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { AppErrorCode } from '../../src/core/errors';
import { Applicant } from '../../src/core/approval/applicant';
import { OpenApplicationRequest } from '../../src/core/approval/approval.service';
import { ApplicationRef } from '../../src/core/application/application';
import { applicationState } from '../../src/core/application/application-state';
import { approvalState } from '../../src/core/application/approval-state';
import { Offer } from '../../src/core/offer/offer';
import { TestApp, eventually, startTestApp } from '../support/test-app';
import { newPhone, panWith } from '../support/journey';

/**
 * Behaviour of two core operations against a real database, without any protocol in front of them:
 * ApprovalService.open (an application recorded without the OTP step, for a partner that authenticated the
 * borrower itself) and OfferService.accept (the borrower's choice of terms within the current offer).
 */

const PARTNER_A = 'partner-a';
const PARTNER_B = 'partner-b';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({
    partners: [
      { id: PARTNER_A, displayName: 'Partner A', protocol: 'GPAY' },
      { id: PARTNER_B, displayName: 'Partner B', protocol: 'GPAY' },
    ],
  });
});
afterAll(() => t.stop());

const rupees = (n: number) => BigInt(n) * 1_000_000n;
const newReference = () => `REF-${randomBytes(6).toString('hex')}`;

function applicant(options: { pan?: string; monthlyIncomeRupees?: number } = {}): Applicant {
  const address = { addressLine1: '101, Lake View Apartments', postalCode: '560038', city: 'Bengaluru', state: 'Karnataka', country: 'IN', addressTags: ['RESIDENTIAL_ADDRESS'] };
  return {
    fullName: 'Asha Rao',
    emailAddress: 'asha.rao@example.com',
    pan: options.pan ?? panWith('1234'),
    dateOfBirth: '1990-05-15',
    addresses: [address],
    employment: {
      employerName: 'Acme Software',
      totalWorkExperienceYears: '12',
      type: 'SALARIED',
      monthlyIncomeMicros: rupees(options.monthlyIncomeRupees ?? 50_000).toString(),
    },
    residence: { timeAtCurrentResidence: '5', ownership: 'OWNED' },
    enabledFlags: [],
  };
}

function openRequest(overrides: Partial<OpenApplicationRequest> = {}): OpenApplicationRequest {
  return {
    partnerId: PARTNER_A,
    externalReference: newReference(),
    productId: 'PERSONAL_LOAN',
    requestedAmountMicros: rupees(100_000),
    loanPurpose: 'OTHER',
    applicant: applicant(),
    phone: newPhone(),
    ...overrides,
  };
}

const applicationRow = (ref: ApplicationRef) =>
  t.services.db.prisma.application.findUnique({ where: { partnerId_externalReference: { partnerId: ref.partnerId, externalReference: ref.externalReference } } });

const historyOf = (applicationId: string) =>
  t.services.db.prisma.stateTransition.findMany({ where: { entityId: applicationId }, orderBy: { id: 'asc' }, select: { aggregate: true, fromState: true, toState: true } });

const decideJobsFor = async (applicationId: string) =>
  (await t.services.db.prisma.outboxMessage.findMany({ where: { topic: 'approval.decide' } })).filter(
    (row) => (row.payload as { data?: { applicationId?: string } }).data?.applicationId === applicationId,
  );

/** Opens an application and waits for the worker's credit decision. */
async function openAndDecide(overrides: Partial<OpenApplicationRequest> = {}) {
  const request = openRequest(overrides);
  await t.services.approvals.open(request);
  const status = await eventually(() => t.services.approvals.status(request), (s) => s.state !== 'IN_PROCESS');
  return { ref: { partnerId: request.partnerId, externalReference: request.externalReference }, status };
}

/** An application of partner A with an approved offer (₹10,000 to ₹1,00,000 in ₹5,000 steps, 6 to 36 months in 6s). */
async function approvedOffer(): Promise<{ ref: ApplicationRef; offer: Offer }> {
  const { ref, status } = await openAndDecide();
  expect(status.state).toBe('APPROVED');
  const offer = await t.services.offers.current(ref);
  return { ref, offer: offer! };
}

describe('opening an application without the OTP step', () => {
  it('when an application is opened, then it exists in IN_PROCESS / CREDIT_APPROVAL_PENDING with those initial states in its history, and one credit decision is staged', async () => {
    const request = openRequest();
    const answer = await t.services.approvals.open(request);

    expect(answer).toEqual({ state: 'IN_PROCESS', lenderReference: expect.stringMatching(/^PA[A-Z0-9x]+$/) });
    const row = await applicationRow(request);
    expect(row).toMatchObject({
      partnerId: PARTNER_A,
      externalReference: request.externalReference,
      lenderReference: answer.lenderReference,
      productId: 'PERSONAL_LOAN',
      requestedAmountMicros: rupees(100_000),
      loanPurpose: 'OTHER',
      panLast4: request.applicant.pan.slice(5, 9),
      phoneHash: expect.any(String),
      approvalState: 'IN_PROCESS',
      applicationState: 'CREDIT_APPROVAL_PENDING',
    });
    expect(row!.applicantCiphertext).not.toContain(request.applicant.pan);
    expect(row!.phoneHash).not.toContain(request.phone.nationalNumber);
    const history = await historyOf(row!.id);
    // The worker may already have decided: the first two entries are the initial states.
    expect(history.slice(0, 2)).toEqual([
      { aggregate: approvalState.machine.aggregate, fromState: null, toState: 'IN_PROCESS' },
      { aggregate: applicationState.machine.aggregate, fromState: null, toState: 'CREDIT_APPROVAL_PENDING' },
    ]);
    expect(await decideJobsFor(row!.id)).toHaveLength(1);
  });

  it('when the transaction the application was opened in rolls back, then neither the application nor its credit decision job exists (they are written in one transaction)', async () => {
    const request = openRequest();
    let seenInside: { application: boolean; jobs: number } | undefined;
    await expect(
      t.services.db.transaction(async () => {
        await t.services.approvals.open(request);
        const row = await t.services.db.client.application.findFirst({ where: { partnerId: request.partnerId, externalReference: request.externalReference } });
        const jobs = (await t.services.db.client.outboxMessage.findMany({ where: { topic: 'approval.decide' } })).filter(
          (job) => (job.payload as { data?: { applicationId?: string } }).data?.applicationId === row?.id,
        );
        seenInside = { application: row !== null, jobs: jobs.length };
        throw new Error('caller failed after opening');
      }),
    ).rejects.toThrow('caller failed after opening');

    expect(seenInside).toEqual({ application: true, jobs: 1 });
    expect(await applicationRow(request)).toBeNull();
  });

  it('when the same partner opens the same reference twice, then the second is refused with DUPLICATE_APPLICATION and the first application and its single job are untouched', async () => {
    const request = openRequest();
    const first = await t.services.approvals.open(request);
    const before = await applicationRow(request);

    await expect(t.services.approvals.open({ ...request, applicant: applicant({ monthlyIncomeRupees: 90_000 }), requestedAmountMicros: rupees(20_000) })).rejects.toMatchObject({
      code: AppErrorCode.DUPLICATE_APPLICATION,
    });

    const after = await applicationRow(request);
    expect(after).toMatchObject({ id: before!.id, lenderReference: first.lenderReference, requestedAmountMicros: rupees(100_000), applicantCiphertext: before!.applicantCiphertext });
    expect(await decideJobsFor(before!.id)).toHaveLength(1);
    expect(await t.services.db.prisma.application.count({ where: { partnerId: PARTNER_A, externalReference: request.externalReference } })).toBe(1);
  });

  it('when the same reference is opened twice at once, then exactly one application is recorded and the other call is refused with DUPLICATE_APPLICATION', async () => {
    const request = openRequest();
    const results = await Promise.allSettled([t.services.approvals.open(request), t.services.approvals.open(request)]);

    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(refused).toHaveLength(1);
    expect(refused[0].reason).toMatchObject({ code: AppErrorCode.DUPLICATE_APPLICATION });
    expect(await t.services.db.prisma.application.count({ where: { partnerId: PARTNER_A, externalReference: request.externalReference } })).toBe(1);
  });

  it('when another partner opens the same reference, then it gets an application of its own, and each partner reads only its own', async () => {
    const externalReference = newReference();
    const a = await t.services.approvals.open(openRequest({ partnerId: PARTNER_A, externalReference }));
    const b = await t.services.approvals.open(openRequest({ partnerId: PARTNER_B, externalReference, requestedAmountMicros: rupees(40_000) }));

    expect(b.lenderReference).not.toBe(a.lenderReference);
    const rowA = await applicationRow({ partnerId: PARTNER_A, externalReference });
    const rowB = await applicationRow({ partnerId: PARTNER_B, externalReference });
    expect(rowA!.id).not.toBe(rowB!.id);
    expect(rowB!.requestedAmountMicros).toBe(rupees(40_000));
    expect((await t.services.approvals.status({ partnerId: PARTNER_A, externalReference })).lenderReference).toBe(a.lenderReference);
    expect((await t.services.approvals.status({ partnerId: PARTNER_B, externalReference })).lenderReference).toBe(b.lenderReference);
  });

  it('when the product is unknown, then the application is refused with NOT_FOUND and nothing is recorded', async () => {
    const request = openRequest({ productId: 'NO_SUCH_PRODUCT' });
    await expect(t.services.approvals.open(request)).rejects.toMatchObject({ code: AppErrorCode.NOT_FOUND, fields: ['productId'] });
    expect(await applicationRow(request)).toBeNull();
  });

  it('when the worker decides a clean applicant, then the application is APPROVED with a current offer and moves to IN_PROGRESS, and the history records both moves', async () => {
    const { ref, status } = await openAndDecide();

    expect(status).toMatchObject({ state: 'APPROVED', offerId: expect.any(String) });
    const row = await applicationRow(ref);
    expect(row).toMatchObject({ approvalState: 'APPROVED', applicationState: 'IN_PROGRESS', currentOfferId: status.offerId });
    const offer = await t.services.offers.current(ref);
    expect(offer).toMatchObject({ id: status.offerId, minAmountMicros: rupees(10_000), maxAmountMicros: rupees(100_000) });
    expect(await historyOf(row!.id)).toEqual(
      expect.arrayContaining([
        { aggregate: approvalState.machine.aggregate, fromState: 'IN_PROCESS', toState: 'APPROVED' },
        { aggregate: applicationState.machine.aggregate, fromState: 'CREDIT_APPROVAL_PENDING', toState: 'IN_PROGRESS' },
      ]),
    );
  });

  it('when the worker finds an adverse bureau record, then the application is REJECTED with the reason readable through its status, and no offer exists', async () => {
    const { ref, status } = await openAndDecide({ applicant: applicant({ pan: panWith('9001') }) });

    expect(status).toMatchObject({ state: 'REJECTED', rejection: { reason: 'BUREAU_RECORD' } });
    expect(status.offerId).toBeUndefined();
    expect(await applicationRow(ref)).toMatchObject({ approvalState: 'REJECTED', applicationState: 'REJECTED' });
    expect(await t.services.offers.current(ref)).toBeNull();
  });
});

describe('accepting terms within the current offer', () => {
  it('when an amount and tenure inside the offer are accepted, then the choice is recorded on the offer', async () => {
    const { ref, offer } = await approvedOffer();
    const accepted = await t.services.offers.accept({ ...ref, offerId: offer.id, amountMicros: rupees(55_000), tenureMonths: 18 });

    expect(accepted).toMatchObject({ id: offer.id, acceptedAmountMicros: rupees(55_000), acceptedTenureMonths: 18, acceptedAt: expect.any(Date) });
    const stored = await t.services.db.prisma.offer.findUniqueOrThrow({ where: { id: offer.id } });
    expect(stored).toMatchObject({ acceptedAmountMicros: rupees(55_000), acceptedTenureMonths: 18 });
    expect(stored.acceptedAt).not.toBeNull();
  });

  it('when the limits themselves are accepted (minimum amount and tenure, maximum amount and tenure), then both are recorded', async () => {
    const { ref, offer } = await approvedOffer();
    await expect(t.services.offers.accept({ ...ref, offerId: offer.id, amountMicros: offer.minAmountMicros, tenureMonths: offer.minTenureMonths })).resolves.toMatchObject({
      acceptedAmountMicros: offer.minAmountMicros,
    });
    await expect(t.services.offers.accept({ ...ref, offerId: offer.id, amountMicros: offer.maxAmountMicros, tenureMonths: offer.maxTenureMonths })).resolves.toMatchObject({
      acceptedAmountMicros: offer.maxAmountMicros,
      acceptedTenureMonths: offer.maxTenureMonths,
    });
  });

  it('when terms are accepted again, then the later choice replaces the earlier one', async () => {
    const { ref, offer } = await approvedOffer();
    await t.services.offers.accept({ ...ref, offerId: offer.id, amountMicros: rupees(20_000), tenureMonths: 12 });
    await t.services.offers.accept({ ...ref, offerId: offer.id, amountMicros: rupees(80_000), tenureMonths: 30 });

    expect(await t.services.db.prisma.offer.findUniqueOrThrow({ where: { id: offer.id } })).toMatchObject({ acceptedAmountMicros: rupees(80_000), acceptedTenureMonths: 30 });
  });

  it.each([
    ['below the minimum amount', rupees(5_000), 12, 'loanAmount'],
    ['above the offered maximum amount', rupees(105_000), 12, 'loanAmount'],
    ['off the amount step', rupees(12_500), 12, 'loanAmount'],
    ['an amount one micro off the step', rupees(10_000) + 1n, 12, 'loanAmount'],
    ['below the minimum tenure', rupees(50_000), 3, 'tenureMonths'],
    ['above the maximum tenure', rupees(50_000), 42, 'tenureMonths'],
    ['off the tenure step', rupees(50_000), 9, 'tenureMonths'],
  ])('when the borrower accepts %s, then it is refused with INVALID_FIELD_VALUE on that field and nothing is recorded', async (_case, amountMicros, tenureMonths, field) => {
    const { ref, offer } = await approvedOffer();
    await expect(t.services.offers.accept({ ...ref, offerId: offer.id, amountMicros, tenureMonths })).rejects.toMatchObject({ code: AppErrorCode.INVALID_FIELD_VALUE, fields: [field] });
    expect(await t.services.db.prisma.offer.findUniqueOrThrow({ where: { id: offer.id } })).toMatchObject({ acceptedAmountMicros: null, acceptedTenureMonths: null, acceptedAt: null });
  });

  it('when a refused choice follows an accepted one, then the accepted choice stays', async () => {
    const { ref, offer } = await approvedOffer();
    await t.services.offers.accept({ ...ref, offerId: offer.id, amountMicros: rupees(30_000), tenureMonths: 6 });
    await expect(t.services.offers.accept({ ...ref, offerId: offer.id, amountMicros: rupees(200_000), tenureMonths: 6 })).rejects.toMatchObject({ code: AppErrorCode.INVALID_FIELD_VALUE });

    expect(await t.services.db.prisma.offer.findUniqueOrThrow({ where: { id: offer.id } })).toMatchObject({ acceptedAmountMicros: rupees(30_000), acceptedTenureMonths: 6 });
  });

  it('when the offer id is unknown, or is another application\'s offer, then it is refused with NOT_FOUND', async () => {
    const { ref, offer } = await approvedOffer();
    const other = await approvedOffer();
    const terms = { amountMicros: rupees(50_000), tenureMonths: 12 };

    await expect(t.services.offers.accept({ ...ref, offerId: 'OFRNOSUCHOFFER', ...terms })).rejects.toMatchObject({ code: AppErrorCode.NOT_FOUND, fields: ['offerId'] });
    await expect(t.services.offers.accept({ ...ref, offerId: other.offer.id, ...terms })).rejects.toMatchObject({ code: AppErrorCode.NOT_FOUND });
    await expect(t.services.offers.accept({ partnerId: PARTNER_B, externalReference: ref.externalReference, offerId: offer.id, ...terms })).rejects.toMatchObject({
      code: AppErrorCode.NOT_FOUND,
    });
    await expect(t.services.offers.accept({ partnerId: PARTNER_A, externalReference: newReference(), offerId: offer.id, ...terms })).rejects.toMatchObject({
      code: AppErrorCode.NOT_FOUND,
    });
    expect(await t.services.db.prisma.offer.findUniqueOrThrow({ where: { id: offer.id } })).toMatchObject({ acceptedAmountMicros: null });
  });

  it('when the application has no offer yet (its decision is pending), then accepting is refused with NOT_FOUND', async () => {
    const request = openRequest();
    await t.services.db.transaction(async () => {
      await t.services.approvals.open(request);
      // Inside the transaction the worker cannot have decided yet.
      await expect(t.services.offers.accept({ ...request, offerId: 'OFRANY', amountMicros: rupees(50_000), tenureMonths: 12 })).rejects.toMatchObject({
        code: AppErrorCode.NOT_FOUND,
      });
    });
  });

  it('property: when any amount on the step within [min, max] and any tenure on its step within its limits is accepted, then exactly that choice is recorded; any amount off the step is refused', async () => {
    const { ref, offer } = await approvedOffer();
    const amountSteps = Number((offer.maxAmountMicros - offer.minAmountMicros) / offer.amountStepMicros);
    const tenureSteps = (offer.maxTenureMonths - offer.minTenureMonths) / offer.tenureStepMonths;

    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: amountSteps }), fc.integer({ min: 0, max: tenureSteps }), async (i, j) => {
        const amountMicros = offer.minAmountMicros + BigInt(i) * offer.amountStepMicros;
        const tenureMonths = offer.minTenureMonths + j * offer.tenureStepMonths;
        await t.services.offers.accept({ ...ref, offerId: offer.id, amountMicros, tenureMonths });
        const stored = await t.services.db.prisma.offer.findUniqueOrThrow({ where: { id: offer.id } });
        return stored.acceptedAmountMicros === amountMicros && stored.acceptedTenureMonths === tenureMonths;
      }),
      { numRuns: 25 },
    );

    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: amountSteps - 1 }), fc.bigInt({ min: 1n, max: offer.amountStepMicros - 1n }), async (i, offStep) => {
        const amountMicros = offer.minAmountMicros + BigInt(i) * offer.amountStepMicros + offStep;
        await expect(t.services.offers.accept({ ...ref, offerId: offer.id, amountMicros, tenureMonths: offer.minTenureMonths })).rejects.toMatchObject({
          code: AppErrorCode.INVALID_FIELD_VALUE,
          fields: ['loanAmount'],
        });
      }),
      { numRuns: 25 },
    );
  });

  // Last in the file: it moves the shared clock past every offer made so far.
  it('when the offer\'s validity has ended, then accepting it is refused with OFFER_EXPIRED and nothing is recorded', async () => {
    const { ref, offer } = await approvedOffer();
    const validForMs = offer.endsAt.getTime() - t.clock.now().getTime();
    t.clock.advance(validForMs - 60_000);
    await expect(t.services.offers.accept({ ...ref, offerId: offer.id, amountMicros: rupees(50_000), tenureMonths: 12 })).resolves.toMatchObject({ acceptedTenureMonths: 12 });

    t.clock.advance(60_000);
    await expect(t.services.offers.accept({ ...ref, offerId: offer.id, amountMicros: rupees(60_000), tenureMonths: 24 })).rejects.toMatchObject({ code: AppErrorCode.OFFER_EXPIRED });
    expect(await t.services.db.prisma.offer.findUniqueOrThrow({ where: { id: offer.id } })).toMatchObject({ acceptedAmountMicros: rupees(50_000), acceptedTenureMonths: 12 });
  });
});

import { readFileSync } from 'node:fs';
import { Redis } from 'ioredis';
import { Logger } from 'pino';
import { Config } from './lib/config';
import { Database } from './lib/db/database';
import { Clock, systemClock } from './lib/clock';
import { Hasher, Sealer } from './lib/crypto';
import { LiveKeyRing, openKeyRing } from './lib/key-provider';
import { activeSigningKey } from './lib/keys';
import { RateLimiter } from './lib/rate-limiter';
import { Outbox } from './lib/jobs/outbox';
import { JobStoreRepository } from './lib/jobs/job-store.repository';
import { JobRegistry, JobWorker, OutboxRelay, createQueue, throttledWarn } from './lib/jobs/queue';
import { Periodic, pruneExpired } from './lib/jobs/housekeeping';
import { Idempotency } from './lib/idempotency/idempotency';
import { measuredPort } from './lib/metrics/metrics';
import { stopTracing, tracedPort } from './lib/trace';
import { PrometheusMetrics } from './lib/metrics/prometheus';
import { IdempotencyRepository } from './lib/idempotency/idempotency.repository';
import { SandboxRail, SandboxSmsOutbox } from './adapters/sandbox/sandbox-adapters';
import { SANDBOX_GPAY_PARTNER_ID, SANDBOX_PARTNERS } from './core/partner/sandbox-partners';
import { SandboxAccountAggregator } from './adapters/sandbox/sandbox-account-aggregator';
import { SandboxMandateRail, sandboxMandatePayer } from './adapters/sandbox/sandbox-mandate-rail';
import { unconfigured } from './adapters/unconfigured';
import { LocalDocumentStore } from './adapters/documents/local-document-store';
import { PortName, Ports } from './adapters/ports';
import { ComposedAdapters, builtinAdapterModules, composeAdapters, createAdapterContext, guardedPort, loadAdapterModules, missingPorts } from './adapters/modules';
import { TransitionWriter } from './core/state/transition-writer';
import { StateTransitionRepository } from './core/state/state-transition.repository';
import { IdentityHasher } from './core/shared/identity';
import { DocumentStore } from './core/shared/document-store';
import { PartnerRepository } from './core/partner/partner.repository';
import { PartnerService } from './core/partner/partner.service';
import { PartnersFileError, parsePartnersFile } from './core/partner/partners-file';
import { ProductRepository } from './core/product/product.repository';
import { ProductCatalog } from './core/product/product-catalog';
import { ApplicationRepository } from './core/application/application.repository';
import { SubmissionRepository } from './core/loan/submission.repository';
import { OfferRepository } from './core/offer/offer.repository';
import { KycRepository } from './core/kyc/kyc.repository';
import { MandateRepository } from './core/mandate/mandate.repository';
import { LoanRepository } from './core/loan/loan.repository';
import { ChallengeRepository } from './core/challenge/challenge.repository';
import { ChallengeService } from './core/challenge/challenge.service';
import { ApprovalService } from './core/approval/approval.service';
import { OfferService } from './core/offer/offer.service';
import { KycService } from './core/kyc/kyc.service';
import { LoanAcceptanceService } from './core/lending/loan-acceptance.service';
import { KfsService } from './core/kfs/kfs.service';
import { KfsRepository } from './core/kfs/kfs.repository';
import { WorkingDayCalendar } from './core/kfs/working-days';
import { CkycService } from './core/kyc/ckyc.service';
import { AuthTokenService } from './core/auth-token/auth-token.service';
import { BorrowerSessionService } from './core/borrower-session/borrower-session.service';
import { BorrowerSessionRepository } from './core/borrower-session/borrower-session.repository';
import { MandateService } from './core/mandate/mandate.service';
import { SubmissionService } from './core/lending/submission.service';
import { LoanService } from './core/loan/loan.service';
import { PayoutAccountService } from './core/payout/payout-account.service';
import { PayoutAccountRepository } from './core/payout/payout-account.repository';
import { AccountTokens } from './core/loan/account-token';
import { ServicingRepository } from './core/loan/servicing.repository';
import { LoanServicingService } from './core/loan/servicing.service';
import { Ledger } from './core/ledger/ledger';
import { LedgerRepository } from './core/ledger/ledger.repository';
import { DEFAULT_RECONCILER_POLICY, ReconcilerService } from './core/reconciliation/reconciler.service';
import { deliverChallengeJob } from './core/challenge/deliver-challenge.job';
import { decideCreditJob } from './core/approval/decide-credit.job';
import { incomeVerifiedJob } from './core/approval/income-verified.job';
import { reviewKycJob } from './core/kyc/review-kyc.job';
import { expireKycJob } from './core/kyc/expire-kyc.job';
import { confirmMandateJob } from './core/mandate/confirm-mandate.job';
import { BusinessClockRepository } from './core/servicing/business-clock.repository';
import { CloseOfBusiness } from './core/servicing/close-of-business';
import { CloseOfBusinessRepository } from './core/servicing/close-of-business.repository';
import { closeLoanJob } from './core/servicing/close-loan.job';
import { CollectionRepository } from './core/servicing/collection.repository';
import { CollectionListener, CollectionService } from './core/servicing/collection.service';
import { CollectionNotices } from './core/lending/collection-notices';
import { LoanClosing } from './core/servicing/loan-closing';
import { LoanClosingRepository } from './core/servicing/loan-closing.repository';
import { presentCollectionJob } from './core/servicing/present-collection.job';
import { sendPreDebitNoticeJob } from './core/servicing/send-pre-debit-notice.job';
import { DeploymentBusinessClock, ServicingClock } from './core/servicing/servicing-clock';
import { LoanPositions } from './core/servicing/loan-position';
import { NoDuesCertificates } from './core/servicing/no-dues-certificates';
import { NoDuesCertificateLinks } from './core/loan/no-dues-certificate-link';
import type { BusinessClock } from './core/shared/business-clock';
import { disburseLoanJob } from './core/loan/disburse-loan.job';
import { ConsentRepository } from './core/consent/consent.repository';
import { ConsentService } from './core/consent/consent.service';
import { advanceConsentJob } from './core/consent/advance-consent.job';
import { IncomeDocumentRepository } from './core/income/income-document.repository';
import { IncomeDocumentService } from './core/income/income-document.service';
import { verifyIncomeDocumentsJob } from './core/income/verify-income-documents.job';
import { DisputeRepository } from './core/dispute/dispute.repository';
import { DisputeService } from './core/dispute/dispute.service';
import { GpayExchange } from './protocols/gpay/gpay-exchange';
import type { GpayServices } from './protocols/gpay/gpay-services';
import type { BorrowerServices } from './protocols/borrower/borrower-services';
import type { SandboxServices } from './protocols/sandbox/sandbox-services';
import { PartnerCallbackRepository } from './lib/callbacks/partner-callback.repository';
import { createOcenNetwork } from './protocols/ocen/ocen-network';
import { OcenLender } from './protocols/ocen/ocen-lender';
import { ocenCallbackJob } from './protocols/ocen/ocen-callback.job';
import type { Lending } from './core/lending/lending';
import { PartnerAnswers } from './core/lending/partner-answers';
import { PartnerRequests } from './core/lending/partner-requests';
import { RepaymentPlans } from './core/lending/repayment-plans';
import { ApplicationFacts } from './core/lending/application-facts';
import { ApplicationStatusRepository } from './core/lending/application-status.repository';
import { ApplicationOpening } from './core/lending/application-opening';
import { CallbackRedrive, DEFAULT_CALLBACK_REDRIVE_POLICY } from './lib/callbacks/callback-redrive';
import { ocenOperations } from './protocols/ocen/operations';
import { confirmRepaymentMembers } from './protocols/ocen/operations/confirm-repayment';
import type { OcenCore } from './protocols/ocen/ocen-operation';
import { SANDBOX_LENDER, createSandboxOcenNetwork } from './protocols/ocen/sandbox-loan-agent';
import { OcenV3Lender, ocenV3CallbackJob } from './protocols/ocen-v3/ocen-v3-lender';
import { ocenV3Operations } from './protocols/ocen-v3/operations';
import { v3ConfirmRepaymentMembers } from './protocols/ocen-v3/operations/confirm-repayment';
import type { V3Core } from './protocols/ocen-v3/ocen-v3-operation';

/** The product OCEN loan applications are underwritten for (the network's productData is echoed, not mapped yet). */
const OCEN_PRODUCT_ID = 'PERSONAL_LOAN';

/**
 * Everything the protocol adapters and the worker use, wired once (the composition root). It supplies each surface's
 * own interface of what that surface uses (protocols never import this file).
 */
export interface Services extends Lending, GpayServices, BorrowerServices, SandboxServices {
  config: Config;
  logger: Logger;
  db: Database;
  redis: Redis;
  clock: Clock;
  /** The key set (KEY_PROVIDER: files, or an HSM), read again on SIGHUP and every KEYS_RELOAD_MS. */
  keys: LiveKeyRing;
  /** Seals and opens data at rest with the data key (AES-256-GCM). */
  sealer: Sealer;
  limiter: RateLimiter;
  /** The process's metrics (one prom-client registry), served apart from the API by MetricsServer on METRICS_PORT. */
  metrics: PrometheusMetrics;
  transitions: TransitionWriter;
  outbox: Outbox;
  jobStore: JobStoreRepository;
  jobs: JobRegistry;
  gpay: GpayExchange;
  /**
   * The OCEN 4.0 lender: on the network of the OCEN_* settings; in the sandbox without them, with the built-in
   * unsigned test loan agent (sandbox-loan-agent.ts); undefined (no OCEN routes, no callbacks) in production without them.
   */
  ocen?: OcenLender;
  /** The OCEN v3 lender, for partners with protocol OCEN_3 (onboarded bilaterally; nothing is served to anyone else). */
  ocenV3: OcenV3Lender;
  partners: PartnerService;
  challenges: ChallengeService;
  approvals: ApprovalService;
  offers: OfferService;
  kyc: KycService;
  ckyc: CkycService;
  authTokens: AuthTokenService;
  /** The borrower's way in to the bank's pages: a link's token exchanged once for a page session. */
  borrowerSessions: BorrowerSessionService;
  /** OCEN sign-first order: the agreement accepted by OTP (SIGNED), the loan granted (GRANTED). */
  acceptance: LoanAcceptanceService;
  mandates: MandateService;
  /** Key Fact Statements: issued for chosen terms, checked at signing (both surfaces). */
  kfs: KfsService;
  submissions: SubmissionService;
  /** The borrower's account a loan is paid out to (sealed at rest). */
  payoutAccounts: PayoutAccountService;
  /** Reading applications, for every surface: one view of every machine, or a poll's one-query status. */
  facts: ApplicationFacts;
  loans: LoanService;
  /** Servicing of disbursed loans: summaries, statements, repayments, repayment condition changes. */
  servicing: LoanServicingService;
  /** Disputes about an application or its loan: raised by partners, handled by the bank's staff. */
  disputes: DisputeService;
  /** The business date servicing books on (the wall date in production; moved by the sandbox clock). */
  businessClock: BusinessClock;
  /** One close-of-business run per business date (accrual, dues, delinquency, charges, collections). */
  closeOfBusiness: CloseOfBusiness;
  /** Mandate collections: pre-debit notices and debits. */
  collections: CollectionService;
  /** What follows a closure: the mandate cancelled, any excess refunded. */
  loanClosing: LoanClosing;
  /** No-dues certificates of closed loans (served on the borrower pages), and their signed links. */
  noDuesCertificates: NoDuesCertificates;
  noDuesCertificateLinks: NoDuesCertificateLinks;
  /** The double-entry ledger of the loan book: every money movement, every balance shown. */
  ledger: Ledger;
  /** Account-aggregator consents (the lender as FIU). */
  consents: ConsentService;
  /** Documents sent as evidence of income. */
  incomeDocuments: IncomeDocumentService;
  /** Where borrowers' uploaded documents are kept, sealed (DOCUMENTS_DIR by default); for the bank's own reads and other uploads. */
  documents: DocumentStore;
  reconciler: ReconcilerService;
  /** Stages again the partner callbacks the queue gave up on (swept with the reconciler); undefined without OCEN. */
  callbackRedrive?: CallbackRedrive;
  sandbox?: { sms: SandboxSmsOutbox; rail: SandboxRail; aa: SandboxAccountAggregator; mandateRail: SandboxMandateRail; gpayPartnerId: string };
  /** The ports left on their `unconfigured` adapter (each answers 503), by name; empty when every port has one (/readyz). */
  missingAdapters: string[];
  /** Which adapter module supplies each port (ADAPTERS_MODULE, composed in order). */
  adapters: ComposedAdapters;
}

/** How a port is labelled in the metrics (`adapter_calls_total{port}`). */
const PORT_METRIC_LABELS: Record<PortName, string> = {
  bureau: 'bureau',
  ckyc: 'ckyc',
  aadhaar: 'aadhaar_ekyc',
  rail: 'rail',
  mandateRail: 'mandate_rail',
  collector: 'collector',
  accountAggregator: 'account_aggregator',
  documentVerifier: 'document_verifier',
  sms: 'sms',
  documentStore: 'document_store',
};

/**
 * The adapters of this process: the modules of ADAPTERS_MODULE loaded and composed (src/adapters/modules.ts), before
 * the services exist. `redis` is the request-path Redis client, opened when a module or the services first need it;
 * `bind` gives the context's `records` the services they read (the sandbox's name look-ups).
 */
export interface ChosenAdapters {
  composed: ComposedAdapters;
  missing: PortName[];
  redis(): Redis;
  bind(services: { kyc: KycService; mandates: MandateService }): void;
  /** Closes the Redis client if it was opened (a refused boot). */
  close(): Promise<void>;
}

/** Loads and composes ADAPTERS_MODULE's modules with the context of this process; throws AdapterModuleError naming every problem. */
export function chooseAdapters(config: Config, logger: Logger, clock: Clock = systemClock): ChosenAdapters {
  let redis: Redis | undefined;
  const openRedis = () => (redis ??= requestPathRedis(config, logger));
  const bound: { kyc?: KycService; mandates?: MandateService } = {};
  const context = createAdapterContext(config, {
    logger,
    clock,
    redis: openRedis,
    records: {
      nameBehindMandateReference: async (reference) => (bound.mandates ? bound.mandates.nameBehindReference(reference) : null),
      panDigitsBehindUmrn: async (umrn) => (bound.mandates ? bound.mandates.panDigitsBehindUmrn(umrn) : null),
      nameBehindAadhaarReference: async (reference) => (bound.kyc ? bound.kyc.applicantNameOfAadhaarAttempt(reference) : null),
    },
  });
  const composed = composeAdapters(loadAdapterModules(config.adapterModules, builtinAdapterModules(config)), context);
  return {
    composed,
    missing: missingPorts(composed),
    redis: openRedis,
    bind: (services) => Object.assign(bound, services),
    close: async () => {
      if (redis) await closeRedis(redis);
    },
  };
}

/** How often a worker looks for business dates to close (one run per date, whichever worker gets there). */
const CLOSE_OF_BUSINESS_EVERY_MS = 5 * 60_000;

export function buildServices(config: Config, logger: Logger, clock: Clock = systemClock, chosen: ChosenAdapters = chooseAdapters(config, logger, clock)): Services {
  const metrics = new PrometheusMetrics();
  const db = new Database(config.databaseUrl, {
    poolSize: config.databasePoolSize,
    connectTimeoutMs: config.timeouts.databaseConnectMs,
    queryTimeoutMs: config.timeouts.databaseQueryMs,
    claimConnections: config.worker.concurrency + 2,
    onPoolWait: (pool, seconds) => metrics.databasePoolWait(pool, seconds),
  });
  metrics.gaugeOnScrape('db_pool_clients', 'Database pool clients right now, by pool and state (total, idle, waiting)', ['pool', 'state'], async () =>
    db.poolStats().flatMap(({ pool, total, idle, waiting }) => [
      { labels: { pool, state: 'total' }, value: total },
      { labels: { pool, state: 'idle' }, value: idle },
      { labels: { pool, state: 'waiting' }, value: waiting },
    ]));
  // Every port of the core to the outside world is measured (calls by port, method and outcome, with duration) and
  // traced (a client span per call, when tracing is on).
  const measured = <T extends object>(port: string, adapter: T): T => tracedPort(port, measuredPort(port, adapter, metrics));
  const redis = chosen.redis();
  const keys = openKeyRing(config.keys, { mayGenerate: config.appEnv !== 'production', logger });
  const sealer = new Sealer(keys.dataKeys);
  const identity = new IdentityHasher(new Hasher(keys.hashingKey));
  const jobStore = new JobStoreRepository(db);
  const outbox = new Outbox(db, jobStore);
  const transitions = new TransitionWriter(new StateTransitionRepository(db));

  const applications = new ApplicationRepository(db);
  const products = new ProductCatalog(new ProductRepository(db), clock, config.productCacheMs);
  const offerRepository = new OfferRepository(db);
  const kycRepository = new KycRepository(db);
  const mandateRepository = new MandateRepository(db);
  const submissionRepository = new SubmissionRepository(db);
  const loanRepository = new LoanRepository(db);

  // Each port: the adapter its module supplied (else the `unconfigured` stand-in, answering 503), guarded (no call
  // inside a transaction, no transaction inside a call) and measured.
  const supplied = chosen.composed.ports;
  const port = <P extends PortName>(name: P, fallback: Ports[P]): Ports[P] => measured(PORT_METRIC_LABELS[name], guardedPort(name, supplied[name] ?? fallback));
  const sms = port('sms', unconfigured.sms);
  const bureau = port('bureau', unconfigured.bureau);
  const ckycRegistry = port('ckyc', unconfigured.ckyc);
  const rail = port('rail', unconfigured.rail);
  const accountAggregator = port('accountAggregator', unconfigured.accountAggregator);
  const documentVerifier = port('documentVerifier', unconfigured.documentVerifier);
  const aadhaar = port('aadhaar', unconfigured.aadhaar);
  const mandateRail = port('mandateRail', unconfigured.mandateRail);
  const collector = port('collector', unconfigured.collector);
  const documents = port('documentStore', new LocalDocumentStore(config.documentsDir, sealer));

  const limiter = new RateLimiter(redis, config.queuePrefix, metrics);
  const partners = new PartnerService(new PartnerRepository(db), clock, config.partnerCacheMs, { size: config.partnerCacheSize, negativeSize: config.partnerNegativeCacheSize });
  const otpPerPhone = limiter.limit('otp-phone', config.otpPhoneLimits, 'fail-closed');
  const challenges = new ChallengeService(
    { uow: db, challenges: new ChallengeRepository(db), outbox, sealer },
    { partners, sms, lenderName: config.lenderName, issueLimit: otpPerPhone },
    identity, clock, metrics,
  );
  const kyc = new KycService(db, applications, kycRepository, transitions, outbox, identity, clock, { sealer, ckyc: ckycRegistry, aadhaar, documents });
  const kfs = new KfsService(db, applications, offerRepository, new KfsRepository(db), new WorkingDayCalendar(config.kfs.holidayCalendar), {
    lenderName: config.lenderName,
    grievanceOfficer: config.kfs.grievanceOfficer,
    validityWorkingDays: 3,
  }, clock, products);
  const acceptance = new LoanAcceptanceService(db, applications, offerRepository, submissionRepository, transitions, challenges, kyc, partners, sealer, clock, kfs);
  // The name an e-NACH account holder must match: the name KYC established (CKYC record, Aadhaar e-KYC), else the applicant's own.
  const nameOnRecord = (applicationId: string): Promise<string> => kyc.verifiedName(applicationId);
  const mandates: MandateService = new MandateService(db, applications, mandateRepository, offerRepository, submissionRepository, transitions, outbox, identity, sealer, mandateRail, clock, {
    pageUrl: `${config.publicBaseUrl}/borrower/repayment-setup`,
    nameOnRecord,
    ...(config.sandbox ? { sandboxPayer: sandboxMandatePayer } : {}),
  });
  const repaymentPlans = new RepaymentPlans(applications, submissionRepository, acceptance, mandates);
  const payoutAccounts = new PayoutAccountService(db, applications, new PayoutAccountRepository(db), sealer, identity);
  const approvals = new ApprovalService(db, applications, products, offerRepository, transitions, challenges, outbox, sealer, identity, bureau, clock, metrics);
  const accountTokens = new AccountTokens(sealer, identity);
  const ledger = new Ledger(db, new LedgerRepository(db));
  const businessClockRepository = new BusinessClockRepository(db);
  const businessClock = new DeploymentBusinessClock(businessClockRepository, clock, config.sandbox);
  const loans = new LoanService(db, applications, submissionRepository, loanRepository, transitions, rail, accountTokens, clock, payoutAccounts, ledger, businessClock);
  const submissions = new SubmissionService(
    { uow: db, applications, offers: offerRepository, submissions: submissionRepository, transitions, outbox },
    { challenges, kyc, mandates, payoutAccounts, kfs },
    identity, clock,
  );
  // The sandbox's penny-drop and e-KYC answer the name on record, read through these services (the context's `records`).
  chosen.bind({ kyc, mandates });
  const collectionRepository = new CollectionRepository(db);
  const loanClosing = new LoanClosing(db, new LoanClosingRepository(db), collectionRepository, outbox, ledger, mandateRail, rail, payoutAccounts, businessClock);
  const servicing = new LoanServicingService(db, new ServicingRepository(db), transitions, collector, identity, clock, ledger, businessClock, loanClosing);
  // The loan's partner is told of each collection where its protocol can be (set once PartnerAnswers exists, below).
  const collectionNotices: { listener?: CollectionListener } = {};
  const collections = new CollectionService(db, collectionRepository, servicing, mandateRail, sms, sealer, config.lenderName, {
    noticeSent: (collection) => collectionNotices.listener?.noticeSent(collection) ?? Promise.resolve(),
    debitAnswered: (collection, outcome) => collectionNotices.listener?.debitAnswered(collection, outcome) ?? Promise.resolve(),
  });
  const closeOfBusiness = new CloseOfBusiness(db, new CloseOfBusinessRepository(db), new WorkingDayCalendar(config.kfs.holidayCalendar), collectionRepository);
  const noDuesCertificateLinks = new NoDuesCertificateLinks(identity);
  const noDuesCertificates = new NoDuesCertificates(servicing, new LoanClosingRepository(db), kyc, config.lenderName);
  const loanPositions = new LoanPositions(loans, servicing, ledger, loanClosing, businessClock, (loanId) => `${config.publicBaseUrl}${noDuesCertificateLinks.pathFor(loanId)}`);
  const servicingClock = new ServicingClock(db, businessClockRepository, businessClock, closeOfBusiness, collections, ledger, config.sandbox);

  const offers = new OfferService(offerRepository, db, applications, clock);
  const authTokens = new AuthTokenService(applications, kycRepository, mandateRepository, keys, config.publicBaseUrl, config.sandbox, clock);
  const borrowerSessions = new BorrowerSessionService(db, new BorrowerSessionRepository(db), authTokens, {
    KYC: (urlToken) => kyc.openByUrlToken(urlToken),
    REPAYMENT_SETUP: (urlToken, authCode) => mandates.openByLink(urlToken, authCode),
  }, identity, clock);
  const consents = new ConsentService(db, applications, new ConsentRepository(db), transitions, outbox, sealer, accountAggregator, approvals, clock);
  const incomeDocuments = new IncomeDocumentService(db, applications, new IncomeDocumentRepository(db), documentVerifier, approvals, outbox, clock);
  const idempotency = new Idempotency(db, new IdempotencyRepository(db), sealer);
  // The OCEN lender on the network of the OCEN_* settings; in the sandbox without them, with its built-in test loan agent.
  const ocenNetwork = config.ocen
    ? createOcenNetwork(config.ocen, keys, {}, logger)
    : config.sandbox && config.ocenEnabled ? createSandboxOcenNetwork(keys) : undefined;
  const partnerCallbacks = new PartnerCallbackRepository(db);
  const answers = new PartnerAnswers(db, partnerCallbacks, outbox, sealer, partners, clock, metrics);
  const requests = new PartnerRequests(db, idempotency, answers);
  collectionNotices.listener = new CollectionNotices(answers, applications, servicing);
  const facts = new ApplicationFacts({
    applications, statuses: new ApplicationStatusRepository(db), submissions: submissionRepository, offers, kyc, acceptance, consents, incomeDocuments, mandates, payoutAccounts, loans, servicing, accountTokens,
  });
  const opening = new ApplicationOpening(approvals, applications);
  const ocenCore: OcenCore | undefined = ocenNetwork && {
    facts, opening, offers, consents, incomeDocuments, kyc, authTokens, acceptance, mandates, repaymentPlans, payoutAccounts, submissions,
    loans, servicing, collections, positions: loanPositions, lenderName: config.lenderName, clock, logger, productId: OCEN_PRODUCT_ID,
    analytics: ocenNetwork.analytics,
  };
  const ocen = ocenNetwork
    ? new OcenLender(requests, answers, partners,
      ocenOperations(ocenCore!),
      ocenNetwork, clock, logger,
      config.ocen ? { participantId: config.ocen.participantId, orgId: config.ocen.orgId } : SANDBOX_LENDER,
      (notice) => confirmRepaymentMembers(ocenCore!, notice))
    : undefined;
  if (ocen) answers.open(ocen);
  const disputes = new DisputeService(db, new DisputeRepository(db), transitions, clock);
  const ocenV3OrgId = config.ocen?.orgId ?? SANDBOX_LENDER.orgId;
  const ocenV3Core: V3Core = {
    facts, opening, offers, kyc, authTokens, acceptance, mandates, repaymentPlans, payoutAccounts, submissions, loans, servicing, collections, positions: loanPositions, consents, disputes,
    lenderName: config.lenderName, orgId: ocenV3OrgId, productId: OCEN_PRODUCT_ID, clock,
  };
  const ocenV3 = new OcenV3Lender(requests, partners,
    ocenV3Operations(ocenV3Core),
    () => activeSigningKey(keys, 'RS256'), clock, logger, { orgId: ocenV3OrgId },
    (notice) => v3ConfirmRepaymentMembers(ocenV3Core, notice));
  answers.open(ocenV3);
  const callbackRedrive = answers.isOpen
    ? new CallbackRedrive(db, partnerCallbacks, (callback) => answers.redrive(callback), clock, {
      ...DEFAULT_CALLBACK_REDRIVE_POLICY,
      afterMs: config.worker.callbackRedriveAfterMs,
      maxRedrives: config.worker.callbackRedriveMax,
    })
    : undefined;

  const jobs = new JobRegistry()
    .register(deliverChallengeJob, challenges)
    .register(decideCreditJob, approvals)
    .register(incomeVerifiedJob, approvals)
    .register(reviewKycJob, kyc)
    .register(expireKycJob, kyc)
    .register(confirmMandateJob, mandates)
    .register(disburseLoanJob, loans)
    .register(advanceConsentJob, consents)
    .register(verifyIncomeDocumentsJob, incomeDocuments)
    .register(presentCollectionJob, collections)
    .register(sendPreDebitNoticeJob, collections)
    .register(closeLoanJob, loanClosing);
  if (ocen) jobs.register(ocenCallbackJob, answers);
  jobs.register(ocenV3CallbackJob, answers);

  // The sandbox routes reach the sandbox's own rail, phone, AA and mandate rail, when those are the ones in use.
  const sandboxSms = supplied.sms instanceof SandboxSmsOutbox ? supplied.sms : undefined;
  const sandboxRail = supplied.rail instanceof SandboxRail ? supplied.rail : undefined;
  const sandboxAa = supplied.accountAggregator instanceof SandboxAccountAggregator ? supplied.accountAggregator : undefined;
  const sandboxMandateRail = supplied.mandateRail instanceof SandboxMandateRail ? supplied.mandateRail : undefined;
  return {
    missingAdapters: chosen.missing,
    adapters: chosen.composed,
    config,
    logger,
    db,
    redis,
    clock,
    keys,
    sealer,
    limiter,
    metrics,
    transitions,
    outbox,
    jobStore,
    jobs,
    gpay: new GpayExchange(requests, clock, config.requestTimestampToleranceMs, logger),
    ocen,
    ocenV3,
    partners,
    challenges,
    approvals,
    offers,
    kyc,
    ckyc: new CkycService(kycRepository, ckycRegistry, identity, sealer),
    authTokens,
    borrowerSessions,
    acceptance,
    mandates,
    repaymentPlans,
    kfs,
    submissions,
    payoutAccounts,
    facts,
    requests,
    answers,
    opening,
    loans,
    servicing,
    businessClock,
    closeOfBusiness,
    collections,
    loanClosing,
    servicingClock,
    loanPositions,
    noDuesCertificates,
    noDuesCertificateLinks,
    disputes,
    ledger,
    consents,
    incomeDocuments,
    documents,
    reconciler: new ReconcilerService(db, applications, loanRepository, approvals, consents, outbox, clock, {
      ...DEFAULT_RECONCILER_POLICY,
      staleAfterMs: config.worker.reconcileStaleAfterMs,
    }),
    callbackRedrive,
    sandbox: config.sandbox && sandboxSms && sandboxRail && sandboxAa && sandboxMandateRail
      ? { sms: sandboxSms, rail: sandboxRail, aa: sandboxAa, mandateRail: sandboxMandateRail, gpayPartnerId: SANDBOX_GPAY_PARTNER_ID }
      : undefined,
  };
}

/**
 * The Redis client of the request path (rate limits, the sandbox phone and rail, health): a command fails at
 * once while Redis is unreachable and after `REDIS_COMMAND_TIMEOUT_MS` when it is silent, so a request
 * answers 503 instead of waiting; the client keeps reconnecting (at least every second) in the background.
 */
function requestPathRedis(config: Config, logger: Logger): Redis {
  const timeoutMs = config.timeouts.redisCommandMs;
  const redis = new Redis(config.redisUrl, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
    commandTimeout: timeoutMs,
    // A connection that stops answering is dropped and opened again, rather than waited on.
    socketTimeout: Math.max(timeoutMs * 2, 1_000),
    connectTimeout: Math.max(timeoutMs * 2, 1_000),
    retryStrategy: (times) => Math.min(100 * times, 1_000),
  });
  let down = false;
  redis.on('error', (err) => {
    if (!down) logger.warn({ err }, 'redis unreachable; retrying');
    down = true;
  });
  redis.on('ready', () => {
    if (down) logger.info('redis reachable again');
    down = false;
  });
  return redis;
}

/** Waits (up to `timeoutMs`) for the request path's Redis connection, so that the first requests do not find it still opening. */
export async function redisReady(redis: Redis, timeoutMs: number): Promise<boolean> {
  if (redis.status === 'ready') return true;
  return new Promise<boolean>((resolve) => {
    const done = (ready: boolean) => {
      clearTimeout(timer);
      redis.off('ready', onReady);
      resolve(ready);
    };
    const onReady = () => done(true);
    const timer = setTimeout(() => done(false), timeoutMs);
    redis.on('ready', onReady);
  });
}

/**
 * Before serving: applies PARTNERS_FILE (all checked first; any problem stops the boot with one message naming
 * each), waits for Redis (so the rate limits answer from the first request as they would with Redis up, rather
 * than as with Redis down; a Redis that is down does not stop the boot: what needs it answers 503 until it is
 * back) and seeds what the sandbox needs (its partners), each only if absent.
 */
export async function prepare(services: Services): Promise<void> {
  const { config, logger } = services;
  if (config.partnersFile) {
    const definitions = parsePartnersFile(readPartnersFile(config.partnersFile), `PARTNERS_FILE ${config.partnersFile}`);
    const { created, updated } = await services.partners.define(definitions);
    logger.info({ file: config.partnersFile, created, updated }, 'partners file applied');
  }
  if (!(await redisReady(services.redis, 5_000))) logger.warn('redis is not reachable yet; what needs it answers 503 until it is');
  if (config.sandbox) await services.partners.ensure(SANDBOX_PARTNERS);
}

function readPartnersFile(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new PartnersFileError(`PARTNERS_FILE ${file}`, [`cannot be read: ${(err as Error).message}`]);
  }
}

/** The background side: relay (outbox → queue) and, when asked, the worker, the reconciler and housekeeping. */
export class Background {
  private readonly queue;
  private readonly relay;
  private readonly worker;
  private readonly periodic: Periodic[] = [];
  private workerStopped: Promise<{ forced: boolean }> | undefined;
  /** The start's look for payouts cut off by a stopped worker (it never fails). */
  private resuming: Promise<void> | undefined;

  constructor(private readonly services: Services, runWorker: boolean) {
    const { config, logger, jobStore } = services;
    this.queue = createQueue({ url: config.redisUrl, prefix: config.queuePrefix });
    const unreachable = throttledWarn(logger, 'the relay cannot reach Redis; retrying');
    this.queue.on('error', (err) => unreachable({ err }));
    this.relay = new OutboxRelay(jobStore, this.queue, logger, config.worker.outboxPollMs);
    this.worker = runWorker ? new JobWorker(services.db, jobStore, services.jobs, logger, services.metrics) : undefined;
    // Read at each scrape: the queue's depth (Redis) and the outbox's lag (PostgreSQL).
    const queue = this.queue;
    services.metrics.gaugeOnScrape('queue_jobs', 'Jobs in the queue right now, by state (waiting, active, delayed, failed)', ['state'], async () => {
      const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'failed');
      return Object.entries(counts).map(([state, value]) => ({ labels: { state }, value }));
    });
    services.metrics.gaugeOnScrape('outbox_lag_seconds', 'Age of the oldest due outbox message not yet published to the queue (0 when none)', [], async () =>
      [{ value: (await jobStore.backlog()).oldestAgeSeconds }]);
    services.metrics.gaugeOnScrape('outbox_unpublished', 'Due outbox messages not yet published to the queue', [], async () =>
      [{ value: (await jobStore.backlog()).unpublished }]);
    if (runWorker) {
      this.periodic.push(
        new Periodic('housekeeping', async () => ({ ...(await pruneExpired(jobStore)), pageSessions: await services.borrowerSessions.prune() }), logger, 3_600_000),
        new Periodic('reconciler', () => this.reconcile(), logger, config.worker.reconcileEveryMs),
        // Closes each business date once it has passed (and any a stopped worker missed); idempotent per date.
        new Periodic('close-of-business', () => services.servicingClock.closePastDays(), logger, CLOSE_OF_BUSINESS_EVERY_MS),
      );
    }
  }

  start(): void {
    const { config } = this.services;
    this.worker?.start({ url: config.redisUrl, prefix: config.queuePrefix }, config.worker.concurrency, {
      lockMs: config.worker.lockMs,
      stalledCheckMs: config.worker.stalledCheckMs,
    });
    this.relay.start();
    for (const task of this.periodic) task.start();
    this.services.outbox.onStaged(() => this.relay.soon());
    if (this.worker) this.resuming = this.resumeInterruptedPayouts();
  }

  /**
   * Stops taking jobs and lets those in flight finish for up to `WORKER_SHUTDOWN_GRACE_MS`; the relay keeps
   * publishing meanwhile (requests still being answered stage work). Safe to call before `stop`.
   */
  stopWorker(): Promise<{ forced: boolean }> {
    this.workerStopped ??= (async () => {
      await Promise.all([...this.periodic.map((task) => task.stop()), this.resuming]);
      return this.worker ? this.worker.stop(this.services.config.worker.shutdownGraceMs) : { forced: false };
    })();
    return this.workerStopped;
  }

  async stop(): Promise<void> {
    await this.stopWorker();
    await this.relay.stop();
    await this.queue.close();
  }

  private async resumeInterruptedPayouts(): Promise<void> {
    const { logger, reconciler } = this.services;
    try {
      const resumed = await reconciler.resumeInterruptedPayouts();
      if (resumed.length) logger.warn({ applications: resumed }, 'payouts cut off by a stopped worker queued again');
    } catch (err) {
      logger.warn({ err }, 'could not look for payouts cut off by a stopped worker; the reconciler will');
    }
  }

  private async reconcile() {
    const report = await this.services.reconciler.sweep();
    const { logger } = this.services;
    this.services.metrics.payoutsNeedingOperator(report.disbursementsNeedingOperator.length);
    if (report.disbursementsNeedingOperator.length) logger.error({ disbursements: report.disbursementsNeedingOperator }, 'disbursements without a rail answer need an operator');
    if (report.decisionsAbandoned.length) logger.warn({ applications: report.decisionsAbandoned }, 'credit decisions abandoned after the deadline');
    if (report.consentsAbandoned.length) logger.warn({ consents: report.consentsAbandoned }, 'account-aggregator consents abandoned: the AA could not be asked in time');
    if (report.decisionsRetried.length || report.disbursementsRetried.length || report.consentsRetried.length) logger.warn({ report }, 'reconciler retried stalled work');
    const callbacks = await this.services.callbackRedrive?.sweep();
    if (callbacks?.redriven.length) logger.warn({ callbacks: callbacks.redriven }, 'partner callbacks the queue gave up on staged again');
    if (callbacks?.lastRedrive.length) logger.error({ callbacks: callbacks.lastRedrive }, 'partner callbacks staged for the last time; if they fail again an operator must deliver them');
    return { ...report, callbacks };
  }
}

/** How long closing the relay, Redis and the database pools may take at shutdown (they may be unreachable, or held by a job cut off). */
const CLOSE_TIMEOUT_MS = 2_000;

/**
 * Stops a process in order and ends it, each step bounded, whatever state PostgreSQL and Redis are in:
 * the worker stops taking jobs and finishes those in flight (`WORKER_SHUTDOWN_GRACE_MS`) while `drain`
 * answers the requests in flight; then the relay stops, Redis and the pools close, and the spans not yet exported
 * are (when tracing is on). Exits 0, or 1 when something had to be cut off.
 */
export async function shutDown(services: Services, background: Background, drain: () => Promise<{ forced: boolean }> = async () => ({ forced: false })): Promise<never> {
  const { logger } = services;
  const [requests, jobs] = await Promise.all([drain(), background.stopWorker()]);
  if (requests.forced) logger.warn('requests still open after the grace period were cut');
  if (jobs.forced) logger.warn({ graceMs: services.config.worker.shutdownGraceMs }, 'jobs still running after the grace period were left to other workers');
  const closed = await within(CLOSE_TIMEOUT_MS, async () => {
    await background.stop();
    await Promise.all([closeRedis(services.redis), services.db.close(), stopTracing()]);
    services.keys.close();
  });
  if (!closed) logger.warn({ timeoutMs: CLOSE_TIMEOUT_MS }, 'connections not closed in time were dropped');
  logger.flush();
  process.exit(requests.forced || jobs.forced || !closed ? 1 : 0);
}

/**
 * Closes a Redis client whatever its state: QUIT when connected; otherwise (Redis down, a reconnect pending,
 * where QUIT would be refused for want of an offline queue) it stops reconnecting and drops the connection.
 */
export async function closeRedis(redis: Redis): Promise<void> {
  if (redis.status === 'ready') await redis.quit().catch(() => redis.disconnect());
  else redis.disconnect();
}

/** Runs `fn`, giving up waiting for it after `ms`; true when it settled in time. */
async function within(ms: number, fn: () => Promise<void>): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  const settled = fn().then(() => true as const, () => true as const);
  const result = await Promise.race([settled, late]);
  clearTimeout(timer);
  return result;
}

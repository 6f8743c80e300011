import { readFileSync } from 'node:fs';
import { Redis } from 'ioredis';
import { Logger } from 'pino';
import { Config } from './lib/config';
import { Database } from './lib/db/database';
import { Clock, systemClock } from './lib/clock';
import { Hasher, Sealer } from './lib/crypto';
import { KeyRing, loadKeyRing } from './lib/keys';
import { RateLimiter } from './lib/rate-limiter';
import { Outbox } from './lib/jobs/outbox';
import { JobStoreRepository } from './lib/jobs/job-store.repository';
import { JobRegistry, JobWorker, OutboxRelay, createQueue } from './lib/jobs/queue';
import { Periodic, pruneExpired } from './lib/jobs/housekeeping';
import { Idempotency } from './lib/idempotency/idempotency';
import { IdempotencyRepository } from './lib/idempotency/idempotency.repository';
import { SandboxBureau, SandboxCkycRegistry, SandboxRail, SandboxSmsOutbox } from './adapters/sandbox/sandbox-adapters';
import { SANDBOX_GPAY_PARTNER_ID, SANDBOX_PARTNERS } from './adapters/sandbox/sandbox-partners';
import { unconfigured } from './adapters/unconfigured';
import { HttpSmsSender } from './adapters/sms/http-sms-sender';
import { TransitionWriter } from './core/state/transition-writer';
import { StateTransitionRepository } from './core/state/state-transition.repository';
import { IdentityHasher } from './core/shared/identity';
import { PartnerRepository } from './core/partner/partner.repository';
import { PartnerService } from './core/partner/partner.service';
import { PartnersFileError, parsePartnersFile } from './core/partner/partners-file';
import { ProductRepository } from './core/product/product.repository';
import { ProductCatalog } from './core/product/product-catalog';
import { ApplicationRepository } from './core/application/application.repository';
import { SubmissionRepository } from './core/application/submission.repository';
import { OfferRepository } from './core/offer/offer.repository';
import { KycRepository } from './core/kyc/kyc.repository';
import { MandateRepository } from './core/mandate/mandate.repository';
import { LoanRepository } from './core/loan/loan.repository';
import { ChallengeRepository } from './core/challenge/challenge.repository';
import { ChallengeService } from './core/challenge/challenge.service';
import { ApprovalService } from './core/approval/approval.service';
import { OfferService } from './core/offer/offer.service';
import { KycService } from './core/kyc/kyc.service';
import { CkycService } from './core/kyc/ckyc.service';
import { AuthTokenService } from './core/auth-token/auth-token.service';
import { MandateService } from './core/mandate/mandate.service';
import { SubmissionService } from './core/application/submission.service';
import { ApplicationStatusService } from './core/application/application-status.service';
import { LoanService } from './core/loan/loan.service';
import { AccountTokens } from './core/loan/account-token';
import { DEFAULT_RECONCILER_POLICY, ReconcilerService } from './core/reconciliation/reconciler.service';
import { deliverChallengeJob } from './core/challenge/deliver-challenge.job';
import { decideCreditJob } from './core/approval/decide-credit.job';
import { incomeVerifiedJob } from './core/approval/income-verified.job';
import { reviewKycJob } from './core/kyc/review-kyc.job';
import { expireKycJob } from './core/kyc/expire-kyc.job';
import { confirmMandateJob } from './core/mandate/confirm-mandate.job';
import { disburseLoanJob } from './core/loan/disburse-loan.job';
import { GpayExchange } from './protocols/gpay/gpay-exchange';
import { PartnerCallbackRepository } from './lib/callbacks/partner-callback.repository';
import { createOcenNetwork } from './protocols/ocen/ocen-network';
import { OcenLender } from './protocols/ocen/ocen-lender';
import { ocenCallbackJob } from './protocols/ocen/ocen-callback.job';

/** The product OCEN loan applications are underwritten for (the network's productData is echoed, not mapped yet). */
const OCEN_PRODUCT_ID = 'PERSONAL_LOAN';

/** Everything the protocol adapters and the worker use, wired once (the composition root). */
export interface Services {
  config: Config;
  logger: Logger;
  db: Database;
  redis: Redis;
  clock: Clock;
  keys: KeyRing;
  /** Seals and opens data at rest with the data key (AES-256-GCM). */
  sealer: Sealer;
  limiter: RateLimiter;
  transitions: TransitionWriter;
  outbox: Outbox;
  jobStore: JobStoreRepository;
  jobs: JobRegistry;
  gpay: GpayExchange;
  /** The OCEN 4.0 lender; undefined (no OCEN routes, no callbacks) unless the OCEN_* settings are given. */
  ocen?: OcenLender;
  partners: PartnerService;
  challenges: ChallengeService;
  approvals: ApprovalService;
  offers: OfferService;
  kyc: KycService;
  ckyc: CkycService;
  authTokens: AuthTokenService;
  mandates: MandateService;
  submissions: SubmissionService;
  statuses: ApplicationStatusService;
  loans: LoanService;
  reconciler: ReconcilerService;
  sandbox?: { sms: SandboxSmsOutbox; gpayPartnerId: string };
}

export function buildServices(config: Config, logger: Logger, clock: Clock = systemClock): Services {
  const db = new Database(config.databaseUrl, config.databasePoolSize);
  const redis = new Redis(config.redisUrl, { maxRetriesPerRequest: 2, lazyConnect: false });
  redis.on('error', (err) => logger.warn({ err }, 'redis connection error'));
  const keys = loadKeyRing(config.keysDir, config.appEnv !== 'production');
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

  const sandboxSms = config.sandbox ? new SandboxSmsOutbox(redis, config.queuePrefix) : undefined;
  const sms = sandboxSms ?? (config.sms.gatewayUrl ? new HttpSmsSender(config.sms.gatewayUrl, config.sms.gatewayToken) : unconfigured.sms);
  const bureau = config.sandbox ? new SandboxBureau() : unconfigured.bureau;
  const ckycRegistry = config.sandbox ? new SandboxCkycRegistry() : unconfigured.ckyc;
  const rail = config.sandbox ? new SandboxRail() : unconfigured.rail;

  const limiter = new RateLimiter(redis, config.queuePrefix);
  const partners = new PartnerService(new PartnerRepository(db), clock, config.partnerCacheMs);
  const otpPerPhone = limiter.limit('otp-phone', config.otpPhoneLimits, 'fail-closed');
  const challenges = new ChallengeService(db, new ChallengeRepository(db), partners, outbox, sealer, identity, sms, clock, config.lenderName, otpPerPhone);
  const kyc = new KycService(db, applications, kycRepository, transitions, outbox, identity, clock);
  const mandates = new MandateService(db, applications, mandateRepository, transitions, outbox, identity, clock);
  const approvals = new ApprovalService(db, applications, products, offerRepository, transitions, challenges, outbox, sealer, identity, bureau, clock);
  const accountTokens = new AccountTokens(sealer, identity);
  const loans = new LoanService(db, applications, submissionRepository, loanRepository, transitions, rail, accountTokens, clock);

  const offers = new OfferService(offerRepository, db, applications, clock);
  const idempotency = new Idempotency(db, new IdempotencyRepository(db), sealer);
  const ocen = config.ocen
    ? new OcenLender(db, idempotency, partners, applications, approvals, offers, new PartnerCallbackRepository(db), outbox, sealer,
      createOcenNetwork(config.ocen, keys), clock, logger,
      { participantId: config.ocen.participantId, orgId: config.ocen.orgId, productId: OCEN_PRODUCT_ID })
    : undefined;

  const jobs = new JobRegistry()
    .register(deliverChallengeJob, challenges)
    .register(decideCreditJob, approvals)
    .register(incomeVerifiedJob, approvals)
    .register(reviewKycJob, kyc)
    .register(expireKycJob, kyc)
    .register(confirmMandateJob, mandates)
    .register(disburseLoanJob, loans);
  if (ocen) jobs.register(ocenCallbackJob, ocen);

  return {
    config,
    logger,
    db,
    redis,
    clock,
    keys,
    sealer,
    limiter,
    transitions,
    outbox,
    jobStore,
    jobs,
    gpay: new GpayExchange(idempotency, clock, config.requestTimestampToleranceMs, logger),
    ocen,
    partners,
    challenges,
    approvals,
    offers,
    kyc,
    ckyc: new CkycService(kycRepository, ckycRegistry, identity, sealer),
    authTokens: new AuthTokenService(applications, kycRepository, mandateRepository, keys, config.publicBaseUrl, config.sandbox, clock),
    mandates,
    submissions: new SubmissionService(db, applications, offerRepository, submissionRepository, transitions, challenges, kyc, mandates, outbox, identity, clock),
    statuses: new ApplicationStatusService(applications, accountTokens),
    loans,
    reconciler: new ReconcilerService(db, applications, loanRepository, approvals, outbox, clock, {
      ...DEFAULT_RECONCILER_POLICY,
      staleAfterMs: config.worker.reconcileStaleAfterMs,
    }),
    sandbox: sandboxSms ? { sms: sandboxSms, gpayPartnerId: SANDBOX_GPAY_PARTNER_ID } : undefined,
  };
}

/**
 * Before serving: applies PARTNERS_FILE (all checked first; any problem stops the boot with one message naming
 * each), waits for Redis (so the rate limits answer from the first request as they would with Redis up, rather
 * than as with Redis down) and seeds what the sandbox needs (its partners), each only if absent.
 */
export async function prepare(services: Services): Promise<void> {
  const { config, logger } = services;
  if (config.partnersFile) {
    const definitions = parsePartnersFile(readPartnersFile(config.partnersFile), `PARTNERS_FILE ${config.partnersFile}`);
    const { created, updated } = await services.partners.define(definitions);
    logger.info({ file: config.partnersFile, created, updated }, 'partners file applied');
  }
  await services.redis.ping();
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

  constructor(private readonly services: Services, runWorker: boolean) {
    const { config, logger, jobStore } = services;
    this.queue = createQueue({ url: config.redisUrl, prefix: config.queuePrefix });
    this.relay = new OutboxRelay(jobStore, this.queue, logger, config.worker.outboxPollMs);
    this.worker = runWorker ? new JobWorker(services.db, jobStore, services.jobs, logger) : undefined;
    if (runWorker) {
      this.periodic.push(
        new Periodic('housekeeping', () => pruneExpired(jobStore), logger, 3_600_000),
        new Periodic('reconciler', () => this.reconcile(), logger, config.worker.reconcileEveryMs),
      );
    }
  }

  start(): void {
    const { config } = this.services;
    this.worker?.start({ url: config.redisUrl, prefix: config.queuePrefix }, config.worker.concurrency);
    this.relay.start();
    for (const task of this.periodic) task.start();
    this.services.outbox.onStaged(() => this.relay.soon());
  }

  async stop(): Promise<void> {
    await Promise.all(this.periodic.map((task) => task.stop()));
    await this.relay.stop();
    await this.worker?.stop();
    await this.queue.close();
  }

  private async reconcile() {
    const report = await this.services.reconciler.sweep();
    const { logger } = this.services;
    if (report.disbursementsNeedingOperator.length) logger.error({ disbursements: report.disbursementsNeedingOperator }, 'disbursements without a rail answer need an operator');
    if (report.decisionsAbandoned.length) logger.warn({ applications: report.decisionsAbandoned }, 'credit decisions abandoned after the deadline');
    if (report.decisionsRetried.length || report.disbursementsRetried.length) logger.warn({ report }, 'reconciler retried stalled work');
    return report;
  }
}

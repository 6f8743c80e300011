import { Redis } from 'ioredis';
import { Logger } from 'pino';
import { Config } from './lib/config';
import { Database } from './lib/db/database';
import { Clock, systemClock } from './lib/clock';
import { Hasher, Sealer } from './lib/crypto';
import { KeyRing, loadKeyRing } from './lib/keys';
import { Outbox } from './lib/jobs/outbox';
import { JobHandler, JobWorker, OutboxRelay, createQueue } from './lib/jobs/queue';
import { Housekeeping } from './lib/jobs/housekeeping';
import { SandboxBureau, SandboxCkycRegistry, SandboxRail, SandboxSmsOutbox } from './lib/sandbox/sandbox-adapters';
import { unconfigured } from './lib/unconfigured-adapters';
import { HttpSmsSender } from './lib/sms/http-sms-sender';
import { TransitionWriter } from './core/state/transition-writer';
import { IdentityHasher } from './core/shared/identity';
import { ChallengeService, CHALLENGE_DELIVERY_TOPIC } from './core/challenge/challenge.service';
import { ApprovalService, DECISION_TOPIC, INCOME_VERIFIED_TOPIC } from './core/approval/approval.service';
import { OfferService } from './core/offer/offer.service';
import { KycService, KYC_EXPIRE_TOPIC, KYC_REVIEW_TOPIC, KycOutcome } from './core/kyc/kyc.service';
import { CkycService } from './core/kyc/ckyc.service';
import { AuthTokenService } from './core/auth-token/auth-token.service';
import { MandateService, MANDATE_CONFIRM_TOPIC, MandateOutcome } from './core/mandate/mandate.service';
import { SubmissionService, DISBURSE_TOPIC } from './core/application/submission.service';
import { ApplicationStatusService } from './core/application/application-status.service';
import { ApplicationRepository } from './core/application/application.repository';
import { LoanService } from './core/loan/loan.service';
import { GpayExchange } from './protocols/gpay/gpay-exchange';

/** Everything the protocol adapters and the worker use, wired once (the composition root). */
export interface Services {
  config: Config;
  logger: Logger;
  db: Database;
  redis: Redis;
  clock: Clock;
  keys: KeyRing;
  transitions: TransitionWriter;
  outbox: Outbox;
  exchange: GpayExchange;
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
  sandbox?: { sms: SandboxSmsOutbox };
  jobHandlers: Record<string, JobHandler>;
}

export function buildServices(config: Config, logger: Logger, clock: Clock = systemClock): Services {
  const db = new Database(config.databaseUrl);
  const redis = new Redis(config.redisUrl, { maxRetriesPerRequest: 2, lazyConnect: false });
  redis.on('error', (err) => logger.warn({ err }, 'redis connection error'));
  const keys = loadKeyRing(config.keysDir, config.appEnv !== 'production');
  const sealer = new Sealer(keys.dataKey);
  const identity = new IdentityHasher(new Hasher(keys.hashingKey));
  const outbox = new Outbox(db);
  const transitions = new TransitionWriter(db);
  const applications = new ApplicationRepository(db);

  const sandboxSms = config.sandbox ? new SandboxSmsOutbox(redis, config.queuePrefix) : undefined;
  const sms = sandboxSms ?? (process.env.SMS_GATEWAY_URL ? new HttpSmsSender(process.env.SMS_GATEWAY_URL, process.env.SMS_GATEWAY_TOKEN) : unconfigured.sms);
  const bureau = config.sandbox ? new SandboxBureau() : unconfigured.bureau;
  const ckycRegistry = config.sandbox ? new SandboxCkycRegistry() : unconfigured.ckyc;
  const rail = config.sandbox ? new SandboxRail() : unconfigured.rail;

  const challenges = new ChallengeService(db, outbox, sealer, identity, sms, clock);
  const kyc = new KycService(db, applications, transitions, outbox, identity, clock);
  const mandates = new MandateService(db, applications, transitions, outbox, identity, clock);
  const approvals = new ApprovalService(db, applications, transitions, challenges, outbox, sealer, identity, bureau, clock);
  const loans = new LoanService(db, applications, transitions, rail, clock);

  const services: Services = {
    config,
    logger,
    db,
    redis,
    clock,
    keys,
    transitions,
    outbox,
    exchange: new GpayExchange(db, clock, config.defaultAggregatorId, config.requestTimestampToleranceMs),
    challenges,
    approvals,
    offers: new OfferService(db),
    kyc,
    ckyc: new CkycService(db, ckycRegistry, identity),
    authTokens: new AuthTokenService(applications, keys, config.publicBaseUrl, config.sandbox, clock),
    mandates,
    submissions: new SubmissionService(db, applications, transitions, challenges, kyc, outbox, identity, clock),
    statuses: new ApplicationStatusService(applications),
    loans,
    sandbox: sandboxSms ? { sms: sandboxSms } : undefined,
    jobHandlers: {
      [CHALLENGE_DELIVERY_TOPIC]: (p, ctx) => challenges.deliver(String(p.challengeId), ctx.messageId),
      [DECISION_TOPIC]: (p) => approvals.decide(String(p.applicationId)),
      [INCOME_VERIFIED_TOPIC]: (p) => approvals.incomeVerified(String(p.applicationId), p.outcome as 'APPROVED' | 'REJECTED'),
      [KYC_REVIEW_TOPIC]: (p) => kyc.review(String(p.kycId), p.outcome as KycOutcome),
      [KYC_EXPIRE_TOPIC]: (p) => kyc.expire(String(p.kycId)),
      [MANDATE_CONFIRM_TOPIC]: (p) => mandates.confirm(String(p.mandateId), p.outcome as MandateOutcome),
      [DISBURSE_TOPIC]: (p) => loans.disburse(String(p.applicationId)),
    },
  };
  return services;
}

/** The background side: relay (outbox → queue) and, when asked, the worker that runs the jobs. */
export class Background {
  private readonly queue;
  private readonly relay;
  private readonly worker;
  private readonly housekeeping;

  constructor(private readonly services: Services, private readonly runWorker: boolean) {
    const { config, db, logger } = services;
    this.queue = createQueue({ url: config.redisUrl, prefix: config.queuePrefix });
    this.relay = new OutboxRelay(db, this.queue, logger, config.worker.outboxPollMs);
    this.worker = runWorker ? new JobWorker(db, services.jobHandlers, logger) : undefined;
    this.housekeeping = runWorker ? new Housekeeping(db, logger) : undefined;
  }

  start(): void {
    const { config } = this.services;
    this.worker?.start({ url: config.redisUrl, prefix: config.queuePrefix }, config.worker.concurrency);
    this.relay.start();
    this.housekeeping?.start();
    this.services.outbox.onStaged(() => this.relay.kick());
  }

  async stop(): Promise<void> {
    this.housekeeping?.stop();
    await this.relay.stop();
    await this.worker?.stop();
    await this.queue.close();
  }
}

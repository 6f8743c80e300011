import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Clock } from '../../lib/clock';
import type { Sealer } from '../../lib/crypto';
import type { UnitOfWork } from '../../lib/db/database';
import type { Outbox } from '../../lib/jobs/outbox';
import { JobDefinition, defineJob } from '../../lib/jobs/job';
import type { PartnerCallback, PartnerCallbackRepository } from '../../lib/callbacks/partner-callback.repository';
import { Metrics, noMetrics, secondsSince } from '../../lib/metrics/metrics';
import type { PartnerProtocol } from '../partner/partner';
import type { PartnerService } from '../partner/partner.service';

/** An answer owed to a partner for one of its requests: recorded, with the request, in the transaction that accepts it. */
export interface OwedAnswer {
  /** The protocol's name of the answer, e.g. `loanApplications/createLoanResponse`. */
  operation: string;
  /** The partner's references the answer is about (e.g. loan application ids), for reading answers back. */
  subjects: string[];
  /** What the surface builds the answer from later; JSON (no bigint, no Date), stored sealed. */
  context: unknown;
}

/** One owed answer being built, in the worker (no transaction open). */
export interface AnswerToBuild {
  callbackId: string;
  partnerId: string;
  operation: string;
  requestId: string;
  now: Date;
}

/** A built answer on its way to the partner: the stored bytes, the same on every attempt. */
export interface AnswerDelivery {
  callbackId: string;
  partnerId: string;
  operation: string;
  requestId: string;
  bytes: Buffer;
}

/** How one delivery attempt ended: delivered (or kept, in the sandbox), or not, with the reason recorded on the row. */
export type DeliveryOutcome = { delivered: true } | { delivered: false; error: string; message?: string };

/** The job that sends one owed answer of a surface (see {@link answerJob}). */
export type AnswerJob = JobDefinition<{ callbackId: string; again?: boolean }, PartnerAnswers>;

/**
 * What a partner-facing surface supplies so that the core can answer its partners later: the wire form of an
 * answer and its delivery (signing and POST). The core owns the rest: the intent recorded with the request, the
 * answer built once and stored sealed, every attempt counted, a delivered answer never sent twice.
 */
export interface AnswerChannel {
  /** The protocol of the partners this channel answers (the partner row's `protocol`). */
  readonly protocol: PartnerProtocol;
  /** The surface's name in the metrics (`credit_partner_callback_deliveries_total{surface}`). */
  readonly surface: string;
  /** The surface's send job, declared with {@link answerJob}. */
  readonly job: AnswerJob;
  /**
   * The answer's wire body, built from core facts and the owed answer's `context`. Throws {@link AnswerNotReady} when
   * it cannot be built yet (the job is retried); anything it throws leaves nothing stored. Stored as its JSON text.
   */
  build(answer: AnswerToBuild, context: unknown): Promise<object>;
  /**
   * The protocol's unsolicited message that tells a partner of the lender's own mandate collection of its loan (the
   * pre-debit notice, the debit's outcome), if the protocol has one (OCEN: `repayment/confirmRepaymentRequest`).
   * `build` is then also called with that operation and a {@link CollectionNoticeContext}.
   */
  readonly collectionNotice?: string;
  /** One delivery attempt of the stored bytes; never throws for a refusal of the partner (it answers the outcome). */
  deliver(delivery: AnswerDelivery): Promise<DeliveryOutcome>;
}

/** What a channel's collection notice is built from (stored sealed, like an owed answer's context). */
export interface CollectionNoticeContext {
  /** PRE_DEBIT_NOTICE: the notice of a debit to come; DEBITED / BOUNCED: the rail's answer to it. */
  event: 'PRE_DEBIT_NOTICE' | 'DEBITED' | 'BOUNCED';
  collectionId: string;
  loanId: string;
  /** The partner's reference of the application (the subject of the message). */
  loanApplicationId: string;
}

/** The answer cannot be built yet (for example, the credit decision is pending): the job is retried later. */
export class AnswerNotReady extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AnswerNotReady';
  }
}

/**
 * Declares a surface's send job: builds the owed answer once (stored sealed), then delivers the stored bytes.
 * Calls the outside world, so no transaction is open; retried with back-off by the queue until delivered.
 * `again`: a duplicate request asked for the stored answer to be delivered once more.
 */
export const answerJob = (name: string): AnswerJob => defineJob({
  name,
  version: 1,
  schema: z.object({ callbackId: z.string().min(1), again: z.boolean().optional() }),
  transactional: false,
  handle: (answers: PartnerAnswers, payload) => answers.send(payload.callbackId, payload.again ?? false),
});

/** A built answer as the sandbox reads it back. */
export interface BuiltAnswer {
  operation: string;
  partnerId: string;
  requestId: string;
  builtAt: Date | null;
  deliveredAt: Date | null;
  attempts: number;
  lastError: string | null;
  body: unknown;
}

/**
 * Answers owed to partners, whatever their protocol: recorded with the request (a `partner_callback` row and the
 * channel's job, in the caller's transaction), built once in the worker by the partner's channel, stored sealed,
 * and delivered by the channel until it is delivered.
 */
export class PartnerAnswers {
  private readonly channels = new Map<PartnerProtocol, AnswerChannel>();

  constructor(
    private readonly uow: UnitOfWork,
    private readonly callbacks: PartnerCallbackRepository,
    private readonly outbox: Outbox,
    private readonly sealer: Sealer,
    private readonly partners: Pick<PartnerService, 'resolve' | 'get'>,
    private readonly clock: Clock,
    private readonly metrics: Metrics = noMetrics,
  ) {}

  /** Registers a surface's channel (one per protocol). */
  open(channel: AnswerChannel): this {
    if (this.channels.has(channel.protocol)) throw new Error(`An answer channel for ${channel.protocol} is open already`);
    this.channels.set(channel.protocol, channel);
    return this;
  }

  /** Whether any channel is open (without one there is nothing to send or re-drive). */
  get isOpen(): boolean {
    return this.channels.size > 0;
  }

  /** Records the intent of an answer, in the caller's transaction (the one accepting the request). */
  async owe(partnerId: string, requestId: string, owed: OwedAnswer): Promise<void> {
    const channel = await this.channelOf(partnerId);
    const id = randomUUID();
    await this.callbacks.create({
      id,
      partnerId,
      operation: owed.operation,
      requestId,
      subjects: owed.subjects,
      contextCiphertext: this.sealer.seal(JSON.stringify(owed.context), contextAad(id)),
    });
    await this.outbox.stage(channel.job, { callbackId: id });
  }

  /**
   * Records an unsolicited collection notice for the partner, in the caller's transaction, when the partner's
   * protocol has such a message (the channel's `collectionNotice`); answers whether one was recorded. Built and
   * delivered like an owed answer (once, stored sealed, retried until delivered), under a fresh request id.
   */
  async oweCollectionNotice(partnerId: string, notice: CollectionNoticeContext): Promise<boolean> {
    const channel = await this.channelOf(partnerId).catch(() => undefined);
    if (!channel?.collectionNotice) return false;
    const id = randomUUID();
    await this.callbacks.create({
      id,
      partnerId,
      operation: channel.collectionNotice,
      requestId: randomUUID(),
      subjects: [notice.loanApplicationId],
      contextCiphertext: this.sealer.seal(JSON.stringify(notice), contextAad(id)),
    });
    await this.outbox.stage(channel.job, { callbackId: id });
    return true;
  }

  /** A duplicate request: its answer (the stored one, or the one still to be built) is sent again. */
  async sendAgain(partnerId: string, operation: string, requestId: string): Promise<void> {
    const channel = await this.channelOf(partnerId);
    await this.uow.transaction(async () => {
      const callback = await this.callbacks.byRequest(partnerId, operation, requestId);
      if (callback) await this.outbox.stage(channel.job, { callbackId: callback.id, again: true });
    });
  }

  /** Stages an undelivered answer again (the re-drive sweep, in its transaction). */
  async redrive(callback: Pick<PartnerCallback, 'id' | 'partnerId'>): Promise<void> {
    const channel = await this.channelOf(callback.partnerId);
    await this.outbox.stage(channel.job, { callbackId: callback.id });
  }

  /**
   * Worker step: builds the answer once (stored sealed; a concurrent build loses to the first stored), then
   * delivers those bytes. A failed delivery is recorded and thrown, so the queue retries with back-off. A delivered
   * answer is not sent again, unless `again` (a duplicate request asked for it).
   */
  async send(callbackId: string, again = false): Promise<void> {
    const callback = await this.callbacks.byId(callbackId);
    if (!callback || (callback.deliveredAt && !again)) return;
    const channel = await this.channelOf(callback.partnerId);
    const bytes = Buffer.from(await this.bodyOf(channel, callback));
    const started = process.hrtime.bigint();
    const outcome = await channel.deliver({ callbackId, partnerId: callback.partnerId, operation: callback.operation, requestId: callback.requestId, bytes })
      .catch((err: unknown): DeliveryOutcome => ({ delivered: false, error: err instanceof Error ? err.message : String(err) }));
    this.metrics.callbackDelivery({ surface: channel.surface, operation: callback.operation, outcome: outcome.delivered ? 'ok' : 'error' }, secondsSince(started));
    await this.callbacks.recordAttempt(callback.id, outcome.delivered ? undefined : outcome.error);
    if (!outcome.delivered) throw new Error(outcome.message ?? `${channel.surface} callback ${callback.operation} to ${callback.partnerId} not delivered: ${outcome.error}`);
  }

  /** Every built answer about `subject` (of one partner, or of all), newest first. */
  async builtAbout(subject: string, partnerId?: string): Promise<BuiltAnswer[]> {
    const rows = await this.callbacks.builtFor(partnerId, subject, 100);
    return rows.map((row) => ({
      operation: row.operation,
      partnerId: row.partnerId,
      requestId: row.requestId,
      builtAt: row.builtAt,
      deliveredAt: row.deliveredAt,
      attempts: row.attempts,
      lastError: row.lastError,
      body: JSON.parse(this.sealer.open(row.bodyCiphertext!, bodyAad(row.id))),
    }));
  }

  /** The channel of the partner's protocol (a partner suspended since its request is still answered). */
  private async channelOf(partnerId: string): Promise<AnswerChannel> {
    const partner = await this.partners.resolve(partnerId).catch(() => this.partners.get(partnerId));
    const channel = this.channels.get(partner.protocol);
    if (!channel) throw new Error(`No answer channel for partner ${partnerId} (${partner.protocol})`);
    return channel;
  }

  /** The stored answer's text; built and stored first if there is none yet. */
  private async bodyOf(channel: AnswerChannel, callback: PartnerCallback): Promise<string> {
    if (callback.bodyCiphertext) return this.sealer.open(callback.bodyCiphertext, bodyAad(callback.id));
    const context = JSON.parse(this.sealer.open(callback.contextCiphertext, contextAad(callback.id))) as unknown;
    const body = await channel.build({ callbackId: callback.id, partnerId: callback.partnerId, operation: callback.operation, requestId: callback.requestId, now: this.clock.now() }, context);
    const stored = await this.callbacks.storeBody(callback.id, this.sealer.seal(JSON.stringify(body), bodyAad(callback.id)));
    return this.sealer.open(stored, bodyAad(callback.id));
  }
}

// The associated data sealed rows are bound to (named when OCEN was the only surface; kept, so stored rows still open).
const contextAad = (id: string) => `ocen-callback:${id}`;
const bodyAad = (id: string) => `ocen-callback-body:${id}`;

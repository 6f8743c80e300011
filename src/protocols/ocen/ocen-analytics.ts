import { randomUUID } from 'node:crypto';
import Ajv from 'ajv';
import type { Logger } from 'pino';
import hb from './spec/hb.official.json';
import type { OcenAck } from './ocen-envelope';
import type { LoanDisbursedMetric, OcenAnalytics } from './ocen-operation';
import type { OcenTokenSource } from './ocen-token';
import { LoanApplication, ProductData, Untrusted, untrusted } from './ocen-wire';
import { outgoingTraceHeaders } from '../../lib/trace';

/**
 * The network's heartbeat and analytics service (`OCEN_ANALYTICS_URL`; docs/ocen.md §6, spec `hb.json`), which
 * the network's certification expects every participant to feed:
 *
 * - a heartbeat `POST {url}/ocen/v4/event` `{event: {timestamp (epoch ms), eventType, requestId (a fresh UUID per
 *   heartbeat), loanMetaData {loanApplicationId, loanId, productData}, recipients [{roleId, responseCode,
 *   responseMessage}]}}` for every message exchanged: a request received and its ack (`XXX_REQUEST`,
 *   `XXX_REQUEST_ACK`), a response sent and the loan agent's ack (`XXX_RESPONSE`, `XXX_RESPONSE_ACK`); one per
 *   loan application the message is about;
 * - the lender's `POST {url}/ocen/v4/metrics/lender/loanDisbursementMetric` after a disbursement.
 *
 * Every heartbeat is validated against hb.json's `HeartbeatEventRequest` before it is queued, as callbacks are
 * against loan.json: its `eventType` must be one the spec's enum defines. A message the enum has no type for
 * (consent/journeyNotify, the repayment plan's status) sends no heartbeat, and an event that does not validate
 * is not sent (counted as `invalid`, logged): the service would refuse it.
 *
 * Both with our bearer token (no signature, as the official sample sends them). Fire-and-forget: a call returns at
 * once and never throws; POSTs wait in a bounded in-memory queue and go out a few at a time, each within a time
 * limit. What does not fit in the queue, or fails, is counted and logged (at most one warn line per 30 s), never
 * retried: a heartbeat never slows or fails a loan request or a callback, and is lost when the process stops.
 */
/**
 * What a heartbeat reads of a message it reports (any operation's body, request or callback, read defensively):
 * the loan application(s) and loan it is about, and its product.
 */
export type HeartbeatSubjects = Untrusted<{
  loanId: string;
  loanApplicationId: string;
  loanApplicationIds: string[];
  loanApplications: Array<Pick<LoanApplication, 'loanApplicationId'>>;
  loanDetails: { loanId: string; loanApplicationId: string };
  productData: ProductData;
}>;

export interface OcenNetworkAnalytics extends OcenAnalytics {
  /** An authenticated request was answered with `status` and `ack` (the router, once the ack is sent). */
  requestAnswered(callerId: string, operation: string, body: HeartbeatSubjects, status: number, ack: Partial<OcenAck> | undefined): void;
  /**
   * A response was POSTed to the loan agent (OcenLender.send): `status` is its HTTP answer (undefined when none
   * came: unreachable, timed out), `ack` what that answer said.
   */
  responseSent(agentId: string, operation: string, body: HeartbeatSubjects, status: number | undefined, ack: { error?: string } | undefined, error: string | undefined): void;
  /** What happened to the POSTs so far; `invalid`: heartbeats not sent because hb.json refuses them (our bug). */
  readonly stats: { queued: number; sent: number; failed: number; dropped: number; invalid: number };
  /** Resolves once nothing is queued or in flight (tests; shutdown). */
  idle(): Promise<void>;
}

export interface OcenAnalyticsOptions {
  /** `OCEN_ANALYTICS_URL`, e.g. https://analytics-dev.ocen.network. */
  url: string;
  tokens: OcenTokenSource;
  /** Our participant id (`roleId` of what we receive). */
  participantId: string;
  logger: Logger;
  /** At most this many POSTs wait; more are dropped (default 1,000). */
  maxQueued?: number;
  /** POSTs in flight at once (default 2). */
  concurrency?: number;
  /** Time limit of one POST, the token included (default 5 s). */
  timeoutMs?: number;
  now?: () => number;
}

/**
 * The heartbeat event type of a message, by its operation (path after `/v4.0.0alpha/`). Each message also has
 * its ack event, the same name + `_ACK`. Names are the spec's `Event.eventType` enum (hb.json), spelt as it
 * spells them (`CREATE_LOAN_APPLICATION_REQUEST` but `CREATE_LOAN_APPLICATIONS_RESPONSE`); an operation the enum
 * has no name for is not listed, and sends no heartbeat.
 */
export const OCEN_EVENT_TYPES: Readonly<Record<string, { event: string }>> = {
  'loanApplications/createLoanRequest': { event: 'CREATE_LOAN_APPLICATION_REQUEST' },
  'loanApplications/createLoanResponse': { event: 'CREATE_LOAN_APPLICATIONS_RESPONSE' },
  'loanApplications/getAdditionalPledgedDocumentsRequest': { event: 'GET_ADDITIONAL_PLEDGED_DOCUMENTS_REQUEST' },
  'loanApplications/getAdditionalPledgedDocumentsResponse': { event: 'GET_ADDITIONAL_PLEDGED_DOCUMENTS_RESPONSE' },
  'consent/consentHandleRequest': { event: 'CONSENT_HANDLE_REQUEST' },
  'consent/consentHandleResponse': { event: 'CONSENT_HANDLE_RESPONSE' },
  'consent/statusRequest': { event: 'CONSENT_HANDLE_STATUS_REQUEST' },
  'consent/statusResponse': { event: 'CONSENT_HANDLE_STATUS_RESPONSE' },
  'offers/generateOffersRequest': { event: 'GENERATE_OFFERS_REQUEST' },
  'offers/generateOffersResponse': { event: 'GENERATE_OFFERS_RESPONSE' },
  'offers/sendAdditionalDocumentsRequest': { event: 'SEND_ADDITIONAL_DOCUMENTS_REQUEST' },
  'offers/sendAdditionalDocumentsResponse': { event: 'SEND_ADDITIONAL_DOCUMENTS_RESPONSE' },
  'offers/setOffersRequest': { event: 'SET_OFFERS_REQUEST' },
  'offers/setOffersResponse': { event: 'SET_OFFERS_RESPONSE' },
  'kyc/getKYCMethodsRequest': { event: 'GET_KYC_METHODS_REQUEST' },
  'kyc/getKYCMethodsResponse': { event: 'GET_KYC_METHODS_RESPONSE' },
  'kyc/triggerKycRequest': { event: 'TRIGGER_KYC_REQUEST' },
  'kyc/triggerKycResponse': { event: 'TRIGGER_KYC_RESPONSE' },
  'kyc/kycStatusRequest': { event: 'KYC_STATUS_REQUEST' },
  'kyc/kycStatusResponse': { event: 'KYC_STATUS_RESPONSE' },
  'loanAcceptance/loanAgreementRequest': { event: 'LOAN_AGREEMENT_REQUEST' },
  'loanAcceptance/LoanAgreementResponse': { event: 'LOAN_AGREEMENT_RESPONSE' },
  'loanAcceptance/triggerLoanAcceptanceRequest': { event: 'TRIGGER_LOAN_ACCEPTANCE_REQUEST' },
  'loanAcceptance/triggerLoanAcceptanceResponse': { event: 'TRIGGER_LOAN_ACCEPTANCE_RESPONSE' },
  'loanAcceptance/verifyLoanAcceptanceRequest': { event: 'VERIFY_LOAN_ACCEPTANCE_REQUEST' },
  'loanAcceptance/verifyLoanAcceptanceResponse': { event: 'VERIFY_LOAN_ACCEPTANCE_RESPONSE' },
  'grantLoan/grantLoanRequest': { event: 'GRANT_LOAN_REQUEST' },
  'grantLoan/grantLoanResponse': { event: 'GRANT_LOAN_RESPONSE' },
  'disbursement/setRepaymentPlanRequest': { event: 'SET_REPAYMENT_PLAN_REQUEST' },
  'disbursement/setRepaymentPlanResponse': { event: 'SET_REPAYMENT_PLAN_RESPONSE' },
  'disbursement/setDisbursementAccountRequest': { event: 'SET_DISBURSEMENT_ACCOUNT_REQUEST' },
  'disbursement/setDisbursementAccountResponse': { event: 'SET_DISBURSEMENT_ACCOUNT_RESPONSE' },
  'disbursement/triggerDisbursementRequest': { event: 'TRIGGER_DISBURSEMENT_REQUEST' },
  'disbursement/triggerDisbursementResponse': { event: 'TRIGGER_DISBURSEMENT_RESPONSE' },
  'disbursement/triggerDisbursementStatusRequest': { event: 'TRIGGER_DISBURSEMENT_STATUS_REQUEST' },
  'disbursement/triggerDisbursementStatusResponse': { event: 'TRIGGER_DISBURSEMENT_STATUS_RESPONSE' },
  'repayment/triggerRepaymentRequest': { event: 'TRIGGER_REPAYMENT_REQUEST' },
  'repayment/triggerRepaymentResponse': { event: 'TRIGGER_REPAYMENT_RESPONSE' },
  'repayment/triggerRepaymentStatusRequest': { event: 'TRIGGER_REPAYMENT_STATUS_REQUEST' },
  'repayment/triggerRepaymentStatusResponse': { event: 'TRIGGER_REPAYMENT_STATUS_RESPONSE' },
  'repayment/repaymentConditionChangeRequest': { event: 'REPAYMENT_CONDITION_CHANGE_REQUEST' },
  'repayment/repaymentConditionChangeResponse': { event: 'REPAYMENT_CONDITION_CHANGE_RESPONSE' },
  'repayment/confirmRepaymentRequest': { event: 'CONFIRM_REPAYMENT_REQUEST' },
  'loanDetails/getloanRequest': { event: 'GET_LOANS_REQUEST' },
  'loanDetails/getloanResponse': { event: 'GET_LOANS_RESPONSE' },
  'loanDetails/listloansRequest': { event: 'LIST_LOANS_REQUEST' },
  'loanDetails/listLoansResponse': { event: 'LIST_LOANS_RESPONSE' },
  'loanDetails/loanStatementRequest': { event: 'LOAN_STATEMENT_REQUEST' },
  'loanDetails/loanStatementResponse': { event: 'LOAN_STATEMENT_RESPONSE' },
  'loanDetails/loanStatementSummaryRequest': { event: 'LOAN_SUMMARY_REQUEST' },
  'loanDetails/loanStatementSummaryResponse': { event: 'LOAN_SUMMARY_RESPONSE' },
};

/** The heartbeat's body (`HeartbeatEventRequest` of hb.json). */
export interface HeartbeatEvent {
  event: {
    timestamp: number;
    eventType: string;
    requestId: string;
    loanMetaData: { loanApplicationId: string; loanId: string; productData: { productId: string; productNetworkId: string } };
    recipients: Array<{ roleId: string; responseCode: number; responseMessage: string }>;
  };
}

const heartbeatSchemas = new Ajv({ strict: false, validateFormats: false }).addSchema(hb, 'hb');
const validHeartbeat = heartbeatSchemas.getSchema('hb#/components/schemas/HeartbeatEventRequest')!;
/** Every `eventType` hb.json defines. */
export const HEARTBEAT_EVENT_TYPES: ReadonlySet<string> = new Set(hb.components.schemas.Event.properties.eventType.enum);

/** Why hb.json refuses `event`; undefined when it is a valid `HeartbeatEventRequest`. */
export function heartbeatProblem(event: unknown): string | undefined {
  return validHeartbeat(event) ? undefined : heartbeatSchemas.errorsText(validHeartbeat.errors, { dataVar: 'heartbeat' });
}

/** Analytics that send nothing (no `OCEN_ANALYTICS_URL`). */
export const NO_NETWORK_ANALYTICS: OcenNetworkAnalytics = {
  loanDisbursed: () => undefined,
  requestAnswered: () => undefined,
  responseSent: () => undefined,
  stats: { queued: 0, sent: 0, failed: 0, dropped: 0, invalid: 0 },
  idle: async () => undefined,
};

const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : typeof value === 'number' && Number.isFinite(value) ? String(value) : undefined);

/** The loan applications (and loan) a message is about, as the heartbeat names them; one empty subject when none. */
export function subjectsOf(body: HeartbeatSubjects): Array<{ loanApplicationId: string; loanId: string }> {
  const details = untrusted<{ loanId: string; loanApplicationId: string }>(body.loanDetails);
  const loanId = text(body.loanId) ?? text(details.loanId) ?? '';
  const ids = new Set<string>();
  for (const application of Array.isArray(body.loanApplications) ? body.loanApplications : []) {
    const id = text(untrusted<LoanApplication>(application).loanApplicationId);
    if (id) ids.add(id);
  }
  for (const id of Array.isArray(body.loanApplicationIds) ? body.loanApplicationIds : []) if (text(id)) ids.add(text(id)!);
  for (const id of [text(body.loanApplicationId), text(details.loanApplicationId)]) if (id) ids.add(id);
  return ids.size ? [...ids].map((loanApplicationId) => ({ loanApplicationId, loanId })) : [{ loanApplicationId: '', loanId }];
}

const ackMessage = (ack: { error?: string } | undefined, status: number | undefined, error?: string): string => {
  if (error) return error;
  if (ack?.error === undefined || ack.error === null || ack.error === '0') return status !== undefined && status >= 200 && status < 300 ? 'Success' : `HTTP ${status}`;
  return ack.error;
};

export function createOcenAnalytics(options: OcenAnalyticsOptions): OcenNetworkAnalytics {
  const base = options.url.replace(/\/+$/, '');
  const maxQueued = options.maxQueued ?? 1_000;
  const concurrency = options.concurrency ?? 2;
  const timeoutMs = options.timeoutMs ?? 5_000;
  const now = options.now ?? Date.now;
  const queue: Array<{ path: string; body: unknown; what: string; trace: Record<string, string> }> = [];
  const stats = { queued: 0, sent: 0, failed: 0, dropped: 0, invalid: 0 };
  let inFlight = 0;
  let idleWaiters: Array<() => void> = [];
  let lastWarn = 0;
  let quiet = 0;

  const warn = (fields: object, message: string) => {
    const at = Date.now();
    if (at - lastWarn < 30_000) {
      quiet += 1;
      options.logger.debug(fields, message);
      return;
    }
    options.logger.warn({ ...fields, ...stats, ...(quiet ? { alsoSince: quiet } : {}) }, message);
    lastWarn = at;
    quiet = 0;
  };

  async function post(item: { path: string; body: unknown; what: string; trace: Record<string, string> }): Promise<void> {
    const signal = AbortSignal.timeout(timeoutMs);
    const token = await Promise.race([
      options.tokens.token(),
      new Promise<never>((_, reject) => signal.addEventListener('abort', () => reject(new Error(`no token within ${timeoutMs} ms`)), { once: true })),
    ]);
    const response = await fetch(`${base}${item.path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json', ...item.trace },
      body: JSON.stringify(item.body),
      redirect: 'manual',
      signal,
    });
    await response.text().catch(() => '');
    if (response.status === 401 || response.status === 403) options.tokens.invalidate();
    if (response.status < 200 || response.status > 299) throw new Error(`HTTP ${response.status}`);
  }

  function pump(): void {
    while (inFlight < concurrency && queue.length) {
      const item = queue.shift()!;
      inFlight += 1;
      post(item)
        .then(() => {
          stats.sent += 1;
        })
        .catch((err: unknown) => {
          stats.failed += 1;
          warn({ what: item.what, err: err instanceof Error ? err.message : String(err) }, 'OCEN analytics: a POST failed (not retried)');
        })
        .finally(() => {
          inFlight -= 1;
          pump();
          if (inFlight === 0 && queue.length === 0) {
            const waiters = idleWaiters;
            idleWaiters = [];
            for (const resolve of waiters) resolve();
          }
        });
    }
  }

  function enqueue(path: string, body: unknown, what: string): void {
    try {
      if (queue.length >= maxQueued) {
        stats.dropped += 1;
        warn({ what, maxQueued }, 'OCEN analytics: queue full, dropped');
        return;
      }
      stats.queued += 1;
      // Sent later, from the queue: with the trace of the request it reports on.
      queue.push({ path, body, what, trace: outgoingTraceHeaders() });
      pump();
    } catch (err) {
      // Never let analytics fail the caller.
      options.logger.debug({ err }, 'OCEN analytics: could not queue');
    }
  }

  function heartbeats(operation: string, body: HeartbeatSubjects, recipients: Array<[string, Array<{ roleId: string; responseCode: number; responseMessage: string }>]>): void {
    const type = OCEN_EVENT_TYPES[operation];
    if (!type) return;
    const product = untrusted<ProductData>(body.productData);
    const productData = { productId: text(product.productId) ?? '', productNetworkId: text(product.productNetworkId) ?? '' };
    for (const subject of subjectsOf(body)) {
      for (const [suffix, to] of recipients) {
        const eventType = `${type.event}${suffix}`;
        if (!HEARTBEAT_EVENT_TYPES.has(eventType)) continue;
        const event: HeartbeatEvent = { event: { timestamp: now(), eventType, requestId: randomUUID(), loanMetaData: { ...subject, productData }, recipients: to } };
        const problem = heartbeatProblem(event);
        if (problem) {
          stats.invalid += 1;
          warn({ what: eventType, problem }, 'OCEN analytics: a heartbeat does not match hb.json, not sent');
          continue;
        }
        enqueue('/ocen/v4/event', event, eventType);
      }
    }
  }

  return {
    stats,
    requestAnswered(callerId, operation, body, status, ack) {
      try {
        const answer = { responseCode: status, responseMessage: ackMessage(ack, status) };
        heartbeats(operation, body, [['', [{ roleId: options.participantId, ...answer }]], ['_ACK', [{ roleId: callerId, ...answer }]]]);
      } catch (err) {
        options.logger.debug({ err }, 'OCEN analytics: heartbeat not built');
      }
    },
    responseSent(agentId, operation, body, status, ack, error) {
      try {
        const sent = { roleId: agentId, responseCode: status ?? 0, responseMessage: ackMessage(ack, status, error) };
        const events: Array<[string, Array<{ roleId: string; responseCode: number; responseMessage: string }>]> = [['', [sent]]];
        if (status !== undefined) events.push(['_ACK', [{ roleId: options.participantId, responseCode: status, responseMessage: ackMessage(ack, status) }]]);
        heartbeats(operation, body, events);
      } catch (err) {
        options.logger.debug({ err }, 'OCEN analytics: heartbeat not built');
      }
    },
    loanDisbursed(metric: LoanDisbursedMetric) {
      const product = metric.productData;
      enqueue('/ocen/v4/metrics/lender/loanDisbursementMetric', {
        productData: { productId: text(product.productId) ?? '', productNetworkId: text(product.productNetworkId) ?? '' },
        loanId: metric.loanId,
        loanApplicationId: metric.loanApplicationId,
        metrics: [{ amount: metric.amount, tenure: { days: metric.tenureDays }, interestRate: metric.interestRate }],
      }, 'loanDisbursementMetric');
    },
    idle() {
      if (inFlight === 0 && queue.length === 0) return Promise.resolve();
      return new Promise<void>((resolve) => idleWaiters.push(resolve));
    },
  };
}

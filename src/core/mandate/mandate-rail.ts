/**
 * Port to the mandate rail: NPCI e-NACH and UPI Autopay, reached through the bank's sponsor bank. It registers the
 * repayment mandate (penny-drop, authorisation) and collects under it (debits, cancellation). Every method is
 * called with no database transaction open (record the intent, commit, call, record the answer), and each call
 * names a `reference` that is the same on every retry, so the rail acts once per reference. A business answer
 * (NOT_FOUND, DECLINED, BOUNCED) is an answer, never thrown; an error is an AdapterError saying whether to retry.
 */
export interface MandateRail {
  /**
   * Penny-drop: credits ₹1 to the account and answers the account holder's name as the bank holds it, or
   * NOT_FOUND when there is no such account (closed, wrong IFSC). One drop per reference: asked again with the
   * same reference, the rail answers the first drop's result.
   */
  verifyAccount(request: AccountCheck): Promise<AccountCheckAnswer>;
  /**
   * Registers the mandate with the payer's bank or UPI app and answers its UMRN (Unique Mandate Reference Number),
   * or why it was declined. Idempotent by reference: asked again with the same reference, the rail answers the
   * first request's result and registers nothing new. A caller that lost an answer asks `status` first.
   */
  authorise(order: MandateOrder): Promise<MandateRailAnswer>;
  /**
   * The answer to the authorisation taken with this reference, or UNKNOWN when the rail never took one (or has
   * not answered it yet). Asked before an authorisation is sent again, so that it is sent once per reference.
   */
  status(reference: string): Promise<MandateRailAnswer | { outcome: 'UNKNOWN' }>;
  /**
   * Presents one debit under an ACTIVE mandate (its UMRN) for collection on `debitDate`, and answers DEBITED with
   * the rail's own reference for it, or BOUNCED with why (a code such as INSUFFICIENT_FUNDS or
   * AMOUNT_EXCEEDS_MANDATE, and words safe to show). A bounce is a business answer, never an error; an error means
   * the rail's answer is not known (retryable) or the rail refused the request itself (final). Called with no
   * transaction open (record the presentation, commit, call, record the answer). Idempotent by reference: one debit
   * per reference, ever; asked again with the same reference, the rail debits nothing new and answers the first
   * answer (a retry after a bounce takes a new reference). A caller that lost an answer asks `debitStatus` first.
   */
  debit(order: DebitOrder): Promise<DebitAnswer>;
  /**
   * The answer to the debit presented with this reference, or UNKNOWN when the rail never took one. Asked before
   * a debit is presented again, so that it is presented once per reference. No transaction open.
   */
  debitStatus(reference: string): Promise<DebitAnswer | { outcome: 'UNKNOWN' }>;
  /**
   * Cancels the mandate (the loan is closed, or the borrower revoked it): no debit is taken under the UMRN after
   * CANCELLED. NOT_FOUND when the rail holds no mandate with that UMRN (a business answer, not an error).
   * Idempotent by reference: asked again (with the same reference, or for a mandate already cancelled) the rail
   * answers CANCELLED again. No transaction open.
   */
  cancel(request: MandateCancellation): Promise<MandateCancellationAnswer>;
}

export type MandateMethod = 'UPI_AUTOPAY' | 'ENACH';

/** MONTHLY: one debit a month up to the ceiling (EMIs); AS_PRESENTED: debits whenever presented, up to the ceiling. */
export type MandateFrequency = 'MONTHLY' | 'AS_PRESENTED';

/** Where the debits come from: a UPI address (UPI Autopay) or a bank account (e-NACH). */
export type MandatePayer =
  | { method: 'UPI_AUTOPAY'; vpa: string }
  | { method: 'ENACH'; accountNumber: string; ifsc: string };

export interface AccountCheck {
  accountNumber: string;
  ifsc: string;
  reference: string;
}

export type AccountCheckAnswer = { outcome: 'FOUND'; nameAtBank: string } | { outcome: 'NOT_FOUND' };

/** The mandate the payer is asked to authorise: at most `maxAmountMicros` per debit, from the first to the last debit date. */
export type MandateOrder = MandatePayer & {
  reference: string;
  maxAmountMicros: bigint;
  frequency: MandateFrequency;
  /** YYYY-MM-DD (an Indian calendar date). */
  firstDebitDate: string;
  /** YYYY-MM-DD (an Indian calendar date). */
  lastDebitDate: string;
};

export type MandateRailAnswer = { outcome: 'AUTHORISED'; umrn: string } | { outcome: 'DECLINED'; reason: string };

/** A debit presented under an ACTIVE mandate. */
export interface DebitOrder {
  /** Ours: the same on every retry of this presentation; one debit per reference (a retry after a bounce takes a new one). */
  reference: string;
  /** The mandate's UMRN, as `authorise` answered it. */
  umrn: string;
  /** Positive whole paise, at most the mandate's `maxAmountMicros` (a rail that knows the ceiling bounces more: AMOUNT_EXCEEDS_MANDATE). */
  amountMicros: bigint;
  /** YYYY-MM-DD (an Indian calendar date, a working day): the day the payer's bank is asked to debit. */
  debitDate: string;
  /** What the payer sees on the statement (no personal data): e.g. `EMI 3 LN7Q2X9K4`. */
  narration: string;
}

/** Why a debit bounced, as NPCI's return reasons are mapped: the codes the core knows, or another token of the rail's. */
export type DebitBounceCode = 'INSUFFICIENT_FUNDS' | 'AMOUNT_EXCEEDS_MANDATE' | 'MANDATE_NOT_ACTIVE' | 'ACCOUNT_CLOSED' | (string & {});

/**
 * A debit's final answer: DEBITED (the money is collected; `railReference` is the rail's own reference for it,
 * e.g. the UTR) or BOUNCED (nothing was collected; `code` is a token, `reason` words safe to show).
 */
export type DebitAnswer = { outcome: 'DEBITED'; railReference: string } | { outcome: 'BOUNCED'; reason: string; code: DebitBounceCode };

/** A request to cancel a mandate; `reference` is ours, the same on every retry. */
export interface MandateCancellation {
  reference: string;
  umrn: string;
}

export type MandateCancellationAnswer = { outcome: 'CANCELLED' } | { outcome: 'NOT_FOUND' };

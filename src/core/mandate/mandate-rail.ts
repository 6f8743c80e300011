/**
 * Port to the mandate rail: NPCI e-NACH and UPI Autopay, reached through the bank's sponsor bank. Every method
 * is called with no database transaction open (record the intent, commit, call, record the answer), and each
 * call names a `reference` that is the same on every retry, so the rail acts once per reference.
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

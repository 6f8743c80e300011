import { MandateState } from './mandate-state';
import { MandateFrequency, MandateMethod } from './mandate-rail';

/** A repayment e-mandate attempt; the application names the current one. */
export interface Mandate {
  id: string;
  applicationId: string;
  state: MandateState;
  /** The partner collects the repayments itself (OCEN hasCollectionSupport); false on the Google Pay surface. */
  partnerCollects: boolean;
}

export interface MandateDetails extends Mandate {
  /** The UMRN the mandate rail issued, once ACTIVE. */
  mandateReference: string | null;
  /** Why the rail declined it, once FAILED. */
  failureReason: string | null;
}

/**
 * One request to the mandate rail to authorise a mandate, recorded before the rail is called. The payer is
 * sealed (`payerCiphertext`, bound to the row's id); only its masked form and keyed hash are in clear.
 * `outcome` is null until the rail's answer is recorded.
 */
export interface MandateAuthorisation {
  id: string;
  mandateId: string;
  /** The rail's idempotency reference, the same on every call. */
  reference: string;
  method: MandateMethod;
  maskedPayer: string;
  payerHash: string;
  payerCiphertext: string;
  maxAmountMicros: bigint;
  frequency: MandateFrequency;
  /** YYYY-MM-DD */
  firstDebitDate: string;
  /** YYYY-MM-DD */
  lastDebitDate: string;
  railCalls: number;
  outcome: 'AUTHORISED' | 'DECLINED' | null;
  umrn: string | null;
  declineReason: string | null;
  requestedAt: Date;
  /** When it was last sent to the rail (a resend waits until it is no longer in flight). */
  lastCalledAt: Date;
  answeredAt: Date | null;
}

export type NewMandateAuthorisation = Omit<MandateAuthorisation, 'outcome' | 'umrn' | 'declineReason' | 'answeredAt'>;

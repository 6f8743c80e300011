import type { PayoutAccount } from '../payout/payout-account';

export type RailAnswer = { status: 'SUCCEEDED'; utr: string } | { status: 'FAILED'; reason: string };

export interface TransferOrder {
  reference: string;
  amountMicros: bigint;
  beneficiaryPanLast4: string;
  beneficiary?: PayoutAccount;
}

/**
 * Port to the payment rail that pays the loan out. Called with no database transaction open.
 * `reference` is the same on every retry, so the rail pays once.
 */
export interface DisbursementRail {
  /**
   * Pays `amountMicros` out. `beneficiary` is the account the borrower gave for the payout (OCEN
   * setDisbursementAccount); without it (the Google Pay surface) the rail pays the account it holds for the borrower.
   */
  transfer(order: TransferOrder): Promise<RailAnswer>;
  /**
   * The rail's answer to the transfer it took with this reference, or null when it never took one. Asked
   * before a transfer is sent again (an earlier try may have reached the rail and lost its answer), so that
   * a transfer is sent once per reference: a status query, never a blind resend.
   */
  status(reference: string): Promise<RailAnswer | null>;
}

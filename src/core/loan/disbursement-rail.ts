export type RailAnswer = { status: 'SUCCEEDED'; utr: string } | { status: 'FAILED'; reason: string };

/**
 * Port to the payment rail that pays the loan out. Called with no database transaction open.
 * `reference` is the same on every retry, so the rail pays once.
 */
export interface DisbursementRail {
  transfer(order: { reference: string; amountMicros: bigint; beneficiaryPanLast4: string }): Promise<RailAnswer>;
  /**
   * The rail's answer to the transfer it took with this reference, or null when it never took one. Asked
   * before a transfer is sent again (an earlier try may have reached the rail and lost its answer), so that
   * a transfer is sent once per reference: a status query, never a blind resend.
   */
  status(reference: string): Promise<RailAnswer | null>;
}

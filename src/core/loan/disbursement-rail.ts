/**
 * Port to the payment rail that pays the loan out. Called with no database transaction open.
 * `reference` is the same on every retry, so the rail pays once.
 */
export interface DisbursementRail {
  transfer(order: { reference: string; amountMicros: bigint; beneficiaryPanLast4: string }): Promise<
    { status: 'SUCCEEDED'; utr: string } | { status: 'FAILED'; reason: string }
  >;
}

/** The bank's account that repayments are collected into (shown to partners as the lender's account). */
export interface CollectionAccount {
  ifsc: string;
  maskedAccountNumber: string;
  holderName: string;
  /** A UPI address paying into the account, if there is one. */
  vpa?: string;
}

/**
 * Port to the payment provider that collects repayments. Pure and local: it only names the payment page for a
 * repayment's reference (the borrower pays there; the provider's answer comes back through
 * `LoanServicingService.complete`, the provider's notification). Nothing is sent to the provider from here, so
 * it may be called with a transaction open. In the sandbox the page is under PUBLIC_BASE_URL and
 * `POST /sandbox/repayments/{reference}/complete` plays the provider.
 */
export interface RepaymentCollector {
  paymentUrl(reference: string): string;
  account(): CollectionAccount;
}

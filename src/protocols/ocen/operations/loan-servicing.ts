import type { ApplicationRef } from '../../../core/application/application';
import type { ServicedLoan } from '../../../core/loan/servicing';
import { operationRefusals } from '../ocen-errors';
import { OcenCore, loanIdOf, loanOf } from '../ocen-operation';

/**
 * The agent's disbursed loan behind an OCEN loanId: unknown, another agent's, or not yet granted is
 * UNKNOWN_LOAN (loanOf); granted but not yet paid out is LOAN_NOT_DISBURSED (nothing to service yet).
 */
export async function servicedLoanOf(core: OcenCore, partnerId: string, body: { readonly loanId?: unknown }): Promise<{ ref: ApplicationRef; loan: ServicedLoan }> {
  const application = await loanOf(core, partnerId, loanIdOf(body));
  const ref = { partnerId, externalReference: application.externalReference };
  try {
    return { ref, loan: await core.servicing.loan(ref) };
  } catch (err) {
    throw operationRefusals.loanNotDisbursed(err, application.lenderReference);
  }
}

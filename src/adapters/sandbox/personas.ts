/**
 * Sandbox test personas, chosen by the four digits of the PAN (AAAAA9999A → 9999). Any other valid PAN is
 * decided by the underwriting policy (src/core/approval/underwriting-policy.ts).
 */
export const PERSONAS = {
  '9001': 'Rejected by the bureau (BUREAU_RECORD)',
  '9002': 'Sent to INCOME_VERIFICATION (thin bureau file); decided by the AA bank-statement summary or a verified salary slip / bank statement (OCEN: ACTION_REQUIRED)',
  '9004': 'Approved; no CKYC record exists (search finds nothing, download answers ckycDataNotFound)',
  '9005': 'Approved; the disbursement fails, so the application ends REJECTED',
  '9006': 'Approved; the first mandate debit bounces (insufficient funds), later debits succeed',
} as const;

export type PersonaDigits = keyof typeof PERSONAS;

export function personaOf(pan: string): PersonaDigits | undefined {
  const digits = pan.slice(5, 9);
  return digits in PERSONAS ? (digits as PersonaDigits) : undefined;
}

import { invalidField } from '../errors';
import { MandatePayer } from './mandate-rail';

/** A UPI address: `name@handle` (the name: letters, digits, `.`, `_`, `-`; the handle: letters then letters or digits). */
const VPA = /^[A-Za-z0-9][A-Za-z0-9._-]{1,255}@[A-Za-z][A-Za-z0-9]{1,63}$/;
/** IFSC: four letters (the bank), a zero, six letters or digits (the branch). */
const IFSC = /^[A-Z]{4}0[A-Z0-9]{6}$/;
/** Indian bank account numbers: 9 to 18 digits. */
const ACCOUNT_NUMBER = /^[0-9]{9,18}$/;

/** What the borrower typed on the mandate page. */
export type MandatePayerInput =
  | { method: 'UPI_AUTOPAY'; vpa: string }
  | { method: 'ENACH'; accountNumber: string; ifsc: string };

/**
 * The payer as typed on the mandate page, checked before anything is recorded or sent: a UPI address
 * `name@handle` (trimmed); an IFSC of 4 letters, a 0 and 6 letters or digits (trimmed, upper-cased); an account
 * number of 9 to 18 digits (spaces dropped). Anything else is INVALID_FIELD_VALUE naming the field
 * (`mandateMethod`, `vpa`, `ifsc`, `accountNumber`).
 */
export function checkMandatePayer(input: { method?: unknown; vpa?: unknown; accountNumber?: unknown; ifsc?: unknown }): MandatePayer {
  if (input.method === 'UPI_AUTOPAY') {
    const vpa = typeof input.vpa === 'string' ? input.vpa.trim() : '';
    if (!VPA.test(vpa)) throw invalidField('vpa', 'The UPI address must be name@handle (e.g. asha.rao@okbank)');
    return { method: 'UPI_AUTOPAY', vpa };
  }
  if (input.method === 'ENACH') {
    const ifsc = typeof input.ifsc === 'string' ? input.ifsc.trim().toUpperCase() : '';
    const accountNumber = typeof input.accountNumber === 'string' ? input.accountNumber.replace(/\s+/g, '') : '';
    if (!IFSC.test(ifsc)) throw invalidField('ifsc', 'The IFSC must be 4 letters, a 0 and 6 letters or digits (e.g. HDFC0001234)');
    if (!ACCOUNT_NUMBER.test(accountNumber)) throw invalidField('accountNumber', 'The account number must be 9 to 18 digits');
    return { method: 'ENACH', accountNumber, ifsc };
  }
  throw invalidField('mandateMethod', 'The mandate method must be UPI_AUTOPAY or ENACH');
}

/** The form kept and shown in clear: `as****@okbank` (the name's first two characters), `XXXXXXXX6249` (the last four digits). */
export function maskPayer(payer: MandatePayer): string {
  if (payer.method === 'ENACH') return `${'X'.repeat(payer.accountNumber.length - 4)}${payer.accountNumber.slice(-4)}`;
  const [name, handle] = payer.vpa.split('@');
  return `${name.slice(0, 2)}${'*'.repeat(Math.max(name.length - 2, 2))}@${handle}`;
}

/** The identity of a payer, for its keyed hash: the same UPI address in any case, or the same IFSC and account, hash alike. */
export function payerIdentity(payer: MandatePayer): string {
  return payer.method === 'ENACH' ? `ENACH:${payer.ifsc}:${payer.accountNumber}` : `UPI:${payer.vpa.toLowerCase()}`;
}

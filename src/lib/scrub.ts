const PATTERNS: Array<[RegExp, string]> = [
  [/\beyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+/g, '[JWT]'],
  [/\bacct_[A-Za-z0-9_-]+/g, '[ACCOUNT_TOKEN]'],
  [/\b[A-Z]{5}[0-9]{4}[A-Z]\b/g, '[PAN]'],
  [/\b[0-9]{14}\b/g, '[CKYC_ID]'],
  [/\b(?:\+?91)?[6-9][0-9]{9}\b/g, '[PHONE]'],
  // Aadhaar numbers: 12 digits (first 2-9), with or without spaces or hyphens between the groups of four.
  [/\b[2-9][0-9]{3}[ -]?[0-9]{4}[ -]?[0-9]{4}\b/g, '[AADHAAR]'],
  [/\b[0-9]{9,18}\b/g, '[ACCOUNT_NUMBER]'],
  [/\b[A-Za-z0-9][A-Za-z0-9._-]*@[A-Za-z][A-Za-z0-9]+\b/g, '[VPA]'],
  [/\b(19|20)[0-9]{2}-[01][0-9]-[0-3][0-9]\b/g, '[DATE]'],
  [/\b[0-9]{6}\b/g, '[CODE]'],
];

/**
 * Scrubs JWT-, account-token-, PAN-, CKYC-id-, phone-, Aadhaar-, bank-account-number- (9 to 18 digits), UPI-address-
 * (and so e-mail-), date- and OTP-shaped text out of free-form strings such
 * as error messages, for log lines and exported spans. (URL tokens and auth codes are random: they have no shape to find, so they are kept out of
 * messages and guarded by the logger's redacted paths, logger.ts.)
 */
export function scrub(text: string): string {
  return PATTERNS.reduce((acc, [pattern, replacement]) => acc.replace(pattern, replacement), text);
}

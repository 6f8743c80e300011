import pino, { Logger } from 'pino';
import { scrub } from './scrub';
import { currentTrace } from './trace';

export { scrub };

/**
 * Paths that never reach a log line in clear. Bodies are not logged at all; these paths guard the
 * structured fields that code does log (job payloads, error details).
 */
export const REDACTED_PATHS = [
  ...atDepths('pan', 'phone', 'phoneNumber', 'nationalNumber', 'dateOfBirth', 'otp', 'tokens', 'text'),
  // Aadhaar numbers, in whatever field a caller names them, and the Aadhaar OTP.
  ...atDepths('aadhaar', 'aadhaarNumber', 'aadhaarOtp', 'uid'),
  // Tokens handed to partners, and the CKYC id and record (the record is a `user`, its parents and addresses).
  ...atDepths('authToken', 'urlToken', 'authCode', 'accountToken', 'cKycId', 'ckycId', 'ckycRecord'),
  // The mandate payer (UPI address, bank account) and the name a penny-drop answered.
  ...atDepths('vpa', 'accountNumber', 'payer', 'nameAtBank', 'holderName', 'borrowerName'),
  ...atDepths('user', 'applicant', 'fullName', 'firstName', 'middleName', 'lastName', 'father', 'mother', 'email', 'emailAddress', 'addresses'),
  // The HSM's user PIN (KEY_PROVIDER=pkcs11), wherever settings are logged.
  ...atDepths('pin', 'PKCS11_PIN'),
  'req.headers.authorization', 'req.headers.cookie',
];

/** `key`, `*.key`, `*.*.key` and `*.*.*.key` for each key: a field at the top or nested up to three levels. */
function atDepths(...keys: string[]): string[] {
  return keys.flatMap((key) => [key, `*.${key}`, `*.*.${key}`, `*.*.*.${key}`]);
}

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'credit-partner' },
      redact: { paths: REDACTED_PATHS, censor: '[REDACTED]' },
      formatters: { level: (label) => ({ level: label }) },
      // Inside a request or a job, each line names its trace and span (a fresh object: pino merges into it).
      mixin: traceFields,
      hooks: {
        logMethod(args, method) {
          const scrubbed = args.map((arg) => (typeof arg === 'string' ? scrub(arg) : arg)) as Parameters<typeof method>;
          return method.apply(this, scrubbed);
        },
      },
      serializers: {
        err: (err: Error) => ({ type: err.name, message: scrub(err.message ?? ''), stack: err.stack ? scrub(err.stack) : undefined }),
      },
    },
    destination,
  );
}

function traceFields(): { traceId?: string; spanId?: string } {
  const trace = currentTrace();
  return trace ? { traceId: trace.traceId, spanId: trace.spanId } : {};
}

export interface AccessEntry {
  traceId: string;
  spanId?: string;
  method: string;
  path: string;
  status: number;
  ms: number;
}

/**
 * The access log, one line per request, written to `logger`'s stream at its level. Its fields are fixed and
 * carry no personal data (request bodies and query strings are never logged; the path is scrubbed all the
 * same), so it skips the redaction pass, which on a busy API costs about 5% of the CPU.
 */
export function accessLog(logger: Logger): (entry: AccessEntry) => void {
  const stream = (logger as unknown as Record<symbol, pino.DestinationStream>)[pino.symbols.streamSym];
  const access = pino({ level: logger.level, base: { service: 'credit-partner' }, formatters: { level: (label) => ({ level: label }) } }, stream);
  return (entry) => access.info({ ...entry, path: scrub(entry.path) }, 'request');
}

import { BureauVerdict, CreditBureau } from '../../core/approval/credit-bureau';
import { SignedJsonClient, malformed } from './signed-json-client';

const VERDICTS: ReadonlySet<string> = new Set<BureauVerdict>(['CLEAN', 'ADVERSE_RECORD', 'THIN_FILE']);

/**
 * The generic HTTP credit bureau (docs/http-adapters.md): `POST {BUREAU_HTTP_URL}/inquiries` with the inquiry,
 * `Idempotency-Key: <reference>`, answered `200 {"reference", "verdict"}`; the same reference is answered the same
 * verdict and inquired once.
 */
export class HttpCreditBureau implements CreditBureau {
  static readonly TITLE = 'credit bureau';

  constructor(private readonly client: SignedJsonClient) {}

  async check(inquiry: { reference: string; pan: string; dateOfBirth: string }): Promise<BureauVerdict> {
    const { body } = await this.client.call({
      method: 'POST',
      path: '/inquiries',
      idempotencyKey: inquiry.reference,
      body: { reference: inquiry.reference, pan: inquiry.pan, dateOfBirth: inquiry.dateOfBirth },
    });
    const answer = body as { reference?: unknown; verdict?: unknown } | null;
    if (answer?.reference !== inquiry.reference) throw malformed(HttpCreditBureau.TITLE, 'another reference');
    if (typeof answer.verdict !== 'string' || !VERDICTS.has(answer.verdict)) throw malformed(HttpCreditBureau.TITLE, 'an unknown verdict');
    return answer.verdict as BureauVerdict;
  }
}

import { Database } from '../../lib/db/database';
import { AadhaarAttempt, AadhaarAttemptState, CkycSearch, Kyc, KycDocument } from './kyc';

const KYC = {
  id: true, applicationId: true, state: true, eligibleMethods: true, completedMethod: true, rejectionReason: true, urlTokenHash: true,
  urlTokenExpiresAt: true, approvalValidUntil: true, createdAt: true,
} as const;

export class KycRepository {
  constructor(private readonly db: Database) {}

  async byId(id: string | null): Promise<Kyc | null> {
    return id ? this.db.client.kyc.findUnique({ where: { id }, select: KYC }) : null;
  }

  /** The KYC attempt whose link token has this keyed hash (an index look-up: no comparison of secrets). */
  async byUrlTokenHash(urlTokenHash: string): Promise<Kyc | null> {
    return this.db.client.kyc.findUnique({ where: { urlTokenHash }, select: KYC });
  }

  /** The sealed name the completed KYC established, if any. */
  async verifiedNameCiphertext(id: string): Promise<string | null> {
    const row = await this.db.client.kyc.findUnique({ where: { id }, select: { verifiedNameCiphertext: true } });
    return row?.verifiedNameCiphertext ?? null;
  }

  async create(kyc: Omit<Kyc, 'createdAt' | 'completedMethod' | 'rejectionReason' | 'approvalValidUntil'>): Promise<Kyc> {
    return this.db.client.kyc.create({ data: kyc, select: KYC });
  }

  async renewLink(id: string, urlTokenHash: string, urlTokenExpiresAt: Date): Promise<void> {
    await this.db.client.kyc.update({ where: { id }, data: { urlTokenHash, urlTokenExpiresAt } });
  }

  async recordCkycSearch(search: CkycSearch): Promise<void> {
    await this.db.client.ckycSearch.create({ data: search });
  }

  /** The keyed hashes of the CKYC ids this partner's consented searches for one reference found (null: searched, nothing found). */
  async ckycSearchResults(partnerId: string, externalReference: string): Promise<Array<string | null>> {
    const rows = await this.db.client.ckycSearch.findMany({ where: { partnerId, externalReference }, select: { cKycIdHash: true } });
    return rows.map((row) => row.cKycIdHash);
  }

  /** The sealed CKYC ids this partner's consented searches for one reference found, newest first (searches that found nothing left out). */
  async ckycSearchIds(partnerId: string, externalReference: string): Promise<Array<{ id: string; cKycIdCiphertext: string }>> {
    const rows = await this.db.client.ckycSearch.findMany({
      where: { partnerId, externalReference, cKycIdCiphertext: { not: null } },
      select: { id: true, cKycIdCiphertext: true },
      orderBy: { createdAt: 'desc' },
    });
    return rows.map((row) => ({ id: row.id, cKycIdCiphertext: row.cKycIdCiphertext! }));
  }

  async createAadhaarAttempt(attempt: Pick<AadhaarAttempt, 'id' | 'kycId' | 'aadhaarLast4'>): Promise<void> {
    await this.db.client.kycAadhaarAttempt.create({ data: { ...attempt, state: 'REQUESTED' } });
  }

  /** Ends the KYC attempt's Aadhaar attempts still open (a new one replaces them). */
  async supersedeAadhaarAttempts(kycId: string): Promise<void> {
    await this.db.write(`UPDATE kyc_aadhaar_attempt SET state = 'SUPERSEDED', updated_at = now() WHERE kyc_id = $1 AND state IN ('REQUESTED', 'OTP_SENT')`, [kycId]);
  }

  async aadhaarAttempt(id: string): Promise<AadhaarAttempt | null> {
    return this.db.client.kycAadhaarAttempt.findUnique({ where: { id }, select: AADHAAR_ATTEMPT }) as Promise<AadhaarAttempt | null>;
  }

  /** The KYC attempt's newest Aadhaar attempt. */
  async latestAadhaarAttempt(kycId: string): Promise<AadhaarAttempt | null> {
    return this.db.client.kycAadhaarAttempt.findFirst({ where: { kycId }, select: AADHAAR_ATTEMPT, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }] }) as Promise<AadhaarAttempt | null>;
  }

  /** How many Aadhaar OTPs this KYC attempt has asked for. */
  async aadhaarAttemptCount(kycId: string): Promise<number> {
    return this.db.client.kycAadhaarAttempt.count({ where: { kycId } });
  }

  /** REQUESTED → OTP_SENT with UIDAI's transaction id (sealed); false when the attempt was no longer REQUESTED. */
  async aadhaarOtpSent(id: string, transactionIdCiphertext: string): Promise<boolean> {
    const rows = await this.db.query(
      `UPDATE kyc_aadhaar_attempt SET state = 'OTP_SENT', transaction_id_ciphertext = $2, updated_at = now() WHERE id = $1 AND state = 'REQUESTED' RETURNING id`,
      [id, transactionIdCiphertext],
    );
    return rows.length > 0;
  }

  /** Moves an attempt from one of `from` to `to` (and records the e-KYC reference); false when it was in none of them. */
  async moveAadhaarAttempt(id: string, from: AadhaarAttemptState[], to: AadhaarAttemptState, ekycReference?: string): Promise<boolean> {
    const rows = await this.db.query(
      `UPDATE kyc_aadhaar_attempt SET state = $3, ekyc_reference = COALESCE($4, ekyc_reference), updated_at = now() WHERE id = $1 AND state = ANY($2::text[]) RETURNING id`,
      [id, from, to, ekycReference ?? null],
    );
    return rows.length > 0;
  }

  /**
   * Claims one OTP verification of an OTP_SENT attempt, atomically, before UIDAI is asked: answers the try's
   * number, or null when the attempt is not OTP_SENT or its `maxTries` are used.
   */
  async claimAadhaarTry(id: string, maxTries: number): Promise<number | null> {
    const [row] = await this.db.query<{ tries: number }>(
      `UPDATE kyc_aadhaar_attempt SET tries = tries + 1, updated_at = now() WHERE id = $1 AND state = 'OTP_SENT' AND tries < $2 RETURNING tries`,
      [id, maxTries],
    );
    return row ? Number(row.tries) : null;
  }

  /** Gives back a try whose answer never came (the provider failed): it was not a wrong OTP. */
  async releaseAadhaarTry(id: string): Promise<void> {
    await this.db.write(`UPDATE kyc_aadhaar_attempt SET tries = tries - 1, updated_at = now() WHERE id = $1 AND state = 'OTP_SENT' AND tries > 0`, [id]);
  }

  /** Records a wrong OTP; the attempt is EXHAUSTED once its tries are used. Answers the tries left. */
  async recordWrongAadhaarOtp(id: string, maxTries: number): Promise<number> {
    const [row] = await this.db.query<{ tries: number }>(
      `UPDATE kyc_aadhaar_attempt SET wrong_otps = wrong_otps + 1, state = CASE WHEN tries >= $2 THEN 'EXHAUSTED' ELSE state END, updated_at = now()
       WHERE id = $1 AND state = 'OTP_SENT' RETURNING tries`,
      [id, maxTries],
    );
    return row ? Math.max(0, maxTries - Number(row.tries)) : 0;
  }

  async createDocument(document: Omit<KycDocument, 'createdAt'>): Promise<void> {
    await this.db.client.kycDocument.create({ data: document });
  }

  async documentsOf(kycId: string): Promise<KycDocument[]> {
    return this.db.client.kycDocument.findMany({ where: { kycId }, orderBy: { createdAt: 'asc' } }) as Promise<KycDocument[]>;
  }
}

const AADHAAR_ATTEMPT = {
  id: true, kycId: true, state: true, aadhaarLast4: true, transactionIdCiphertext: true, tries: true, wrongOtps: true, ekycReference: true, createdAt: true,
} as const;

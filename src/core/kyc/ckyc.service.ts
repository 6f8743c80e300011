import { randomUUID } from 'node:crypto';
import { AppError, AppErrorCode } from '../errors';
import { Sealer, safeEqual } from '../../lib/crypto';
import { IdentityHasher } from '../shared/identity';
import { ApplicationRef } from '../application/application';
import { CkycRecord, CkycRegistry } from './ckyc-registry';
import { KycRepository } from './kyc.repository';

export interface Consent {
  type: string;
  version?: string;
  acceptance: boolean;
}

export const CKYC_CONSENT_TYPE = 'CKYC_DATA_FETCH';

export interface CkycQuery extends ApplicationRef {
  pan: string;
  dateOfBirth: string;
  consents: Consent[];
}

/** What the registry answered to one consented search; recorded by `recordSearch`. */
export interface CkycLookup {
  query: CkycQuery;
  consentVersion: string;
  cKycId: string | null;
}

/**
 * CKYC search and download, each only with the user's recorded consent (CERSAI requires it before any
 * download). The registry is called with no transaction open: `lookup` calls it, `recordSearch` records
 * the answer. The CKYC id is stored sealed, with a keyed hash for the download check; the record is never stored.
 */
export class CkycService {
  constructor(
    private readonly kyc: KycRepository,
    private readonly registry: CkycRegistry,
    private readonly identity: IdentityHasher,
    private readonly sealer: Sealer,
  ) {}

  async lookup(query: CkycQuery): Promise<CkycLookup> {
    const consent = query.consents.find((c) => c.type === CKYC_CONSENT_TYPE && c.acceptance === true);
    if (!consent) {
      throw new AppError(AppErrorCode.CONSENT_REQUIRED, 'A consent {type: CKYC_DATA_FETCH, acceptance: true} is required', ['consents']);
    }
    const cKycId = await this.registry.search({ pan: query.pan, dateOfBirth: query.dateOfBirth });
    return { query, consentVersion: consent.version ?? 'unversioned', cKycId };
  }

  async recordSearch(lookup: CkycLookup): Promise<{ cKycId: string | null }> {
    const id = randomUUID();
    const { cKycId } = lookup;
    await this.kyc.recordCkycSearch({
      id,
      partnerId: lookup.query.partnerId,
      externalReference: lookup.query.externalReference,
      panHash: this.identity.pan(lookup.query.pan),
      cKycIdHash: cKycId === null ? null : this.identity.cKycId(cKycId),
      cKycIdCiphertext: cKycId === null ? null : this.sealer.seal(cKycId, `ckyc-search:${id}`),
      consentVersion: lookup.consentVersion,
    });
    return { cKycId: lookup.cKycId };
  }

  /** The record for a cKycId this application's consented search returned; null when there is none. */
  async download(ref: ApplicationRef, cKycId: string): Promise<CkycRecord | null> {
    const found = await this.kyc.ckycSearchResults(ref.partnerId, ref.externalReference);
    if (found.length === 0) {
      throw new AppError(AppErrorCode.CONSENT_REQUIRED, 'No consented CKYC search exists for this application; search first');
    }
    const wanted = this.identity.cKycId(cKycId);
    // Every hash is compared, in constant time, whether or not an earlier one matched.
    const searched = found.reduce((match, hash) => (hash !== null && safeEqual(hash, wanted)) || match, false);
    if (!searched) return null;
    return this.registry.download(cKycId);
  }
}

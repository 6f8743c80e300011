import { randomUUID } from 'node:crypto';
import { AppError, AppErrorCode } from '../errors';
import { Database } from '../../lib/db/database';
import { IdentityHasher } from '../shared/identity';
import { CkycRecord, CkycRegistry } from './ckyc-registry';

export interface Consent {
  type: string;
  version?: string;
  acceptance: boolean;
}

export const CKYC_CONSENT_TYPE = 'CKYC_DATA_FETCH';

/** CKYC search and download, each only with the user's recorded consent (CERSAI requires it before any download). */
export class CkycService {
  constructor(
    private readonly db: Database,
    private readonly registry: CkycRegistry,
    private readonly identity: IdentityHasher,
  ) {}

  async search(query: {
    aggregatorId: string;
    googleApplicationId: string;
    pan: string;
    dateOfBirth: string;
    consents: Consent[];
  }): Promise<{ cKycId: string | null }> {
    const consent = query.consents.find((c) => c.type === CKYC_CONSENT_TYPE && c.acceptance === true);
    if (!consent) {
      throw new AppError(AppErrorCode.CONSENT_REQUIRED, 'A tncAcceptanceMetadata entry {type: CKYC_DATA_FETCH, acceptance: true} is required', [
        'data.tncAcceptanceMetadata',
      ]);
    }
    const cKycId = await this.registry.search({ pan: query.pan, dateOfBirth: query.dateOfBirth });
    await this.db.client.ckycSearch.create({
      data: {
        id: randomUUID(),
        aggregatorId: query.aggregatorId,
        googleApplicationId: query.googleApplicationId,
        panHash: this.identity.pan(query.pan),
        cKycId,
        consentVersion: consent.version ?? 'unversioned',
      },
    });
    return { cKycId };
  }

  /** The record for a cKycId this application's consented search returned; null when there is none. */
  async download(aggregatorId: string, googleApplicationId: string, cKycId: string): Promise<CkycRecord | null> {
    const searches = await this.db.client.ckycSearch.findMany({ where: { aggregatorId, googleApplicationId }, select: { cKycId: true } });
    if (searches.length === 0) {
      throw new AppError(AppErrorCode.CONSENT_REQUIRED, 'No consented CKYC search exists for this googleApplicationId; call searchCKycRecord first');
    }
    if (!searches.some((s) => s.cKycId === cKycId)) return null;
    return this.registry.download(cKycId);
  }
}

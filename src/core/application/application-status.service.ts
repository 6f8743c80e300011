import { notFound } from '../errors';
import { ApplicationRef } from './application';
import { ApplicationRepository } from './application.repository';
import { ApplicationStatus } from './application-status';

/** Status polls: one prepared query, no transaction, nothing written (reads are naturally idempotent). */
export class ApplicationStatusService {
  constructor(private readonly applications: ApplicationRepository) {}

  async get(ref: ApplicationRef): Promise<ApplicationStatus> {
    const status = await this.applications.status(ref);
    if (!status) throw notFound('application reference', 'externalReference');
    return status;
  }
}

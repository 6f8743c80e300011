import { z } from 'zod';
import { defineJob } from '../../lib/jobs/job';
import type { IncomeDocumentService } from './income-document.service';

/** Has an application's new documents verified and lets a verified income decide its income verification. Calls the verifier: no transaction open. */
export const verifyIncomeDocumentsJob = defineJob({
  name: 'income.verify-documents',
  version: 1,
  schema: z.object({ applicationId: z.string().min(1) }),
  transactional: false,
  handle: (documents: IncomeDocumentService, payload) => documents.verify(payload.applicationId),
});

import { createHash, randomUUID } from 'node:crypto';
import { AppError, AppErrorCode, notFound } from '../errors';
import { UnitOfWork } from '../../lib/db/database';
import { Clock } from '../../lib/clock';
import { Outbox } from '../../lib/jobs/outbox';
import { ApplicationRef } from '../application/application';
import { ApplicationRepository } from '../application/application.repository';
import { ApprovalService } from '../approval/approval.service';
import { sniffDocumentType } from '../shared/document-type';
import { DocumentVerdict, DocumentVerifier } from './document-verifier';
import { IncomeDocument, MAX_DOCUMENTS_PER_REQUEST, MAX_DOCUMENT_BYTES, MAX_STATEMENT_UPLOAD_BYTES, NewIncomeDocument } from './income-document';
import { IncomeDocumentRepository } from './income-document.repository';
import { verifyIncomeDocumentsJob } from './verify-income-documents.job';

/**
 * Documents sent as evidence of income. Their metadata is recorded with the request (never their bytes); the
 * worker has each verified (DocumentVerifier, no transaction open) and records the verdict; the verified
 * income then decides an application in INCOME_VERIFICATION (ApprovalService.verifyIncome). A
 * document that verifies no income (not a salary slip or bank statement, no figure) is recorded as such and
 * leaves the application waiting for another.
 */
export class IncomeDocumentService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly applications: ApplicationRepository,
    private readonly documents: IncomeDocumentRepository,
    private readonly verifier: DocumentVerifier,
    private readonly approvals: ApprovalService,
    private readonly outbox: Outbox,
    private readonly clock: Clock,
  ) {}

  /** Records documents for the partner's application and stages their verification; in the caller's transaction if one is open. */
  async receive(ref: ApplicationRef, documents: NewIncomeDocument[]): Promise<{ applicationId: string }> {
    if (documents.length > MAX_DOCUMENTS_PER_REQUEST) throw new AppError(AppErrorCode.INVALID_FIELD_VALUE, `At most ${MAX_DOCUMENTS_PER_REQUEST} documents at a time`);
    const tooBig = documents.find((d) => d.sizeBytes > (d.source === 'BORROWER_PAGE' ? MAX_STATEMENT_UPLOAD_BYTES : MAX_DOCUMENT_BYTES) || d.sizeBytes < 0);
    if (tooBig) throw new AppError(AppErrorCode.INVALID_FIELD_VALUE, `Document ${JSON.stringify(tooBig.reference)} is larger than ${MAX_DOCUMENT_BYTES} bytes`);
    return this.uow.transaction(async () => {
      const application = await this.applications.lockByRef(ref);
      for (const document of documents) await this.documents.create({ id: randomUUID(), applicationId: application.id, ...document });
      if (documents.length) await this.outbox.stage(verifyIncomeDocumentsJob, { applicationId: application.id });
      return { applicationId: application.id };
    });
  }

  /**
   * A bank statement the borrower uploaded on the bank's income-verification page: a PDF (judged by its first
   * bytes, whatever its name), at most MAX_STATEMENT_UPLOAD_BYTES, with the average monthly income the borrower
   * reads on it. Hashed and recorded like a partner's document (its bytes are not kept), then verified by the worker.
   */
  async receiveStatement(applicationId: string, upload: { bytes: Buffer; statedMonthlyIncomeMicros: bigint }): Promise<void> {
    if (upload.bytes.length === 0 || upload.bytes.length > MAX_STATEMENT_UPLOAD_BYTES) {
      throw new AppError(AppErrorCode.INVALID_FIELD_VALUE, `The statement must be 1 byte to ${MAX_STATEMENT_UPLOAD_BYTES} bytes`, ['document']);
    }
    if (sniffDocumentType(upload.bytes) !== 'application/pdf') throw new AppError(AppErrorCode.INVALID_FIELD_VALUE, 'The statement must be a PDF', ['document']);
    if (upload.statedMonthlyIncomeMicros <= 0n) throw new AppError(AppErrorCode.INVALID_FIELD_VALUE, 'The monthly income must be more than zero', ['monthlyIncome']);
    const application = await this.applications.byId(applicationId);
    if (!application) throw notFound('application');
    if (application.approvalState !== 'INCOME_VERIFICATION') throw new AppError(AppErrorCode.PRECONDITION_FAILED, 'Income verification is not open for this application');
    const sha256 = createHash('sha256').update(upload.bytes).digest('hex');
    await this.receive({ partnerId: application.partnerId, externalReference: application.externalReference }, [{
      channel: 'ADDITIONAL_DOCUMENTS',
      kind: 'BANK_STATEMENT',
      source: 'BORROWER_PAGE',
      format: 'PDF',
      reference: `page-${sha256.slice(0, 16)}`,
      sizeBytes: upload.bytes.length,
      sha256,
      statedMonthlyIncomeMicros: upload.statedMonthlyIncomeMicros,
    }]);
  }

  /**
   * Worker step (no transaction open; idempotent): verifies the application's documents not yet verified,
   * records the verdicts and, in the same transaction, lets the verified income (the lowest, when several are
   * verified at once) decide the income verification.
   */
  async verify(applicationId: string): Promise<void> {
    const pending = (await this.documents.of(applicationId)).filter((d) => d.verified === null);
    if (pending.length === 0) return;
    const verdicts: Array<{ document: IncomeDocument; verdict: DocumentVerdict }> = [];
    for (const document of pending) verdicts.push({ document, verdict: await this.verifier.verify(document) });
    await this.uow.transaction(async () => {
      const now = this.clock.now();
      for (const { document, verdict } of verdicts) await this.documents.recordVerdict(document.id, verdict, now);
      // Several verified at once: the lowest income speaks (the conservative reading, whatever their order).
      const incomes = verdicts.flatMap(({ document, verdict }) => (verdict.verified ? [{ document, monthlyIncomeMicros: verdict.monthlyIncomeMicros }] : []));
      const lowest = incomes.reduce<(typeof incomes)[number] | undefined>((low, next) => (!low || next.monthlyIncomeMicros < low.monthlyIncomeMicros ? next : low), undefined);
      if (lowest) {
        await this.approvals.verifyIncome(applicationId, { source: `${lowest.document.kind.toLowerCase().replace('_', ' ')} ${lowest.document.reference}`, verified: true, monthlyIncomeMicros: lowest.monthlyIncomeMicros });
      }
    });
  }

  /** What the borrower's income-verification page shows: whether the step is open, and documents still being checked. */
  async borrowerView(applicationId: string): Promise<{ lenderReference: string; open: boolean; documentsPending: boolean }> {
    const application = await this.applications.byId(applicationId);
    if (!application) throw notFound('application');
    return { lenderReference: application.lenderReference, open: application.approvalState === 'INCOME_VERIFICATION', documentsPending: await this.pendingFor(applicationId) };
  }

  /** Whether an application has documents still to be verified. */
  async pendingFor(applicationId: string): Promise<boolean> {
    return (await this.documents.of(applicationId)).some((d) => d.verified === null);
  }

  /** An application's documents (metadata), oldest first. */
  of(applicationId: string): Promise<IncomeDocument[]> {
    return this.documents.of(applicationId);
  }
}

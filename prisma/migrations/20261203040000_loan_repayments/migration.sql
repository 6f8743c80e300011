-- Servicing a disbursed loan: repayments (a state machine: PENDING until the payment provider answers, then
-- SUCCEEDED or FAILED), what each instalment has been paid, the loan transaction journal the statement is read
-- from, and the requests to change the repayment conditions.

-- An instalment partly paid (its due not yet met in full).
ALTER TYPE "InstalmentStatus" ADD VALUE 'PARTIALLY_PAID' AFTER 'DUE';

ALTER TABLE "loan_instalment"
  ADD COLUMN "principal_paid_micros" BIGINT NOT NULL DEFAULT 0,
  ADD COLUMN "interest_paid_micros" BIGINT NOT NULL DEFAULT 0,
  ADD CONSTRAINT "loan_instalment_paid_within_due" CHECK (
    "principal_paid_micros" >= 0 AND "principal_paid_micros" <= "principal_micros"
    AND "interest_paid_micros" >= 0 AND "interest_paid_micros" <= "interest_micros"
  );

CREATE TYPE "RepaymentState" AS ENUM ('PENDING', 'SUCCEEDED', 'FAILED');

-- A payment towards a loan: the intent is recorded (PENDING) with its reference before the borrower pays on the
-- provider's page; the provider's answer moves it once, and a success is applied to the loan in the same transaction.
CREATE TABLE "loan_repayment" (
  "id" TEXT NOT NULL,
  "loan_id" TEXT NOT NULL,
  "reference" TEXT NOT NULL,
  "partner_payment_id" TEXT,
  "amount_micros" BIGINT NOT NULL,
  "instalment_sequence" INTEGER,
  "method" TEXT NOT NULL,
  "state" "RepaymentState" NOT NULL,
  "principal_micros" BIGINT,
  "interest_micros" BIGINT,
  "penalty_micros" BIGINT,
  "excess_micros" BIGINT,
  "provider_reference" TEXT,
  "failure_reason" TEXT,
  "requested_at" TIMESTAMPTZ(3) NOT NULL,
  "completed_at" TIMESTAMPTZ(3),
  "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  "updated_at" TIMESTAMPTZ(3) NOT NULL,
  CONSTRAINT "loan_repayment_pkey" PRIMARY KEY ("id"),
  CONSTRAINT "loan_repayment_amount_positive" CHECK ("amount_micros" > 0)
);
CREATE UNIQUE INDEX "loan_repayment_reference_key" ON "loan_repayment"("reference");
CREATE UNIQUE INDEX "loan_repayment_loan_id_partner_payment_id_key" ON "loan_repayment"("loan_id", "partner_payment_id");
CREATE INDEX "loan_repayment_loan_id_idx" ON "loan_repayment"("loan_id");
ALTER TABLE "loan_repayment" ADD CONSTRAINT "loan_repayment_loan_id_fkey" FOREIGN KEY ("loan_id") REFERENCES "loan_account"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

CREATE TYPE "LoanJournalKind" AS ENUM ('DISBURSEMENT', 'PROCESSING_FEE', 'PROCESSING_FEE_GST', 'INTEREST', 'REPAYMENT', 'EXCESS_PAYMENT');
CREATE TYPE "LoanJournalDirection" AS ENUM ('DEBIT', 'CREDIT');

-- The loan transaction journal: append-only, one row per movement of what the borrower owes (a DEBIT raises the
-- balance, a CREDIT lowers it), with the balance after it. It is single-entry (the borrower's side); a full
-- double-entry ledger and the Key Fact Statement grow from it (each row becomes a balanced posting pair).
CREATE TABLE "loan_journal_entry" (
  "id" BIGSERIAL NOT NULL,
  "loan_id" TEXT NOT NULL,
  "kind" "LoanJournalKind" NOT NULL,
  "direction" "LoanJournalDirection" NOT NULL,
  "amount_micros" BIGINT NOT NULL,
  "balance_after_micros" BIGINT NOT NULL,
  "value_date" DATE NOT NULL,
  "reference" TEXT NOT NULL,
  "narration" TEXT NOT NULL,
  "repayment_id" TEXT,
  "occurred_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  CONSTRAINT "loan_journal_entry_pkey" PRIMARY KEY ("id"),
  CONSTRAINT "loan_journal_entry_amount_not_negative" CHECK ("amount_micros" >= 0)
);
CREATE INDEX "loan_journal_entry_loan_id_value_date_idx" ON "loan_journal_entry"("loan_id", "value_date");
ALTER TABLE "loan_journal_entry" ADD CONSTRAINT "loan_journal_entry_loan_id_fkey" FOREIGN KEY ("loan_id") REFERENCES "loan_account"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "loan_journal_entry" ADD CONSTRAINT "loan_journal_entry_repayment_id_fkey" FOREIGN KEY ("repayment_id") REFERENCES "loan_repayment"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- Loans disbursed before the journal: their opening entries (the amount paid out, then the fee and its GST
-- deducted from it, so the balance after them is the sanctioned principal).
INSERT INTO "loan_journal_entry" ("loan_id", "kind", "direction", "amount_micros", "balance_after_micros", "value_date", "reference", "narration", "occurred_at")
SELECT l."id", e."kind"::"LoanJournalKind", 'DEBIT', e."amount", e."balance", (l."disbursed_at" AT TIME ZONE 'Asia/Kolkata')::date, l."disbursement_reference", e."narration", l."disbursed_at"
FROM "loan_account" l
JOIN "disbursement" d ON d."application_id" = l."application_id"
JOIN "loan_submission" s ON s."id" = d."submission_id"
CROSS JOIN LATERAL (VALUES
  (1, 'DISBURSEMENT', s."net_disbursal_micros", s."net_disbursal_micros", 'Loan disbursed'),
  (2, 'PROCESSING_FEE', s."processing_fee_micros", s."net_disbursal_micros" + s."processing_fee_micros", 'Processing fee'),
  (3, 'PROCESSING_FEE_GST', s."processing_fee_gst_micros", s."loan_amount_micros", 'GST on the processing fee')
) AS e("n", "kind", "amount", "balance", "narration")
ORDER BY l."disbursed_at", l."id", e."n";

-- A loan agent's request to change the repayment conditions, and the lender's decision on it (every request kept).
CREATE TABLE "repayment_condition_change" (
  "id" TEXT NOT NULL,
  "loan_id" TEXT NOT NULL,
  "changed_condition" TEXT NOT NULL,
  "requested_date" DATE NOT NULL,
  "requested_amount_micros" BIGINT NOT NULL,
  "decision" TEXT NOT NULL,
  "description" TEXT NOT NULL,
  "instalment_sequence" INTEGER,
  "previous_due_date" DATE,
  "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  CONSTRAINT "repayment_condition_change_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "repayment_condition_change_loan_id_idx" ON "repayment_condition_change"("loan_id");
ALTER TABLE "repayment_condition_change" ADD CONSTRAINT "repayment_condition_change_loan_id_fkey" FOREIGN KEY ("loan_id") REFERENCES "loan_account"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

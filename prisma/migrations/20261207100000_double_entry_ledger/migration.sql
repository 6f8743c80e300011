-- The double-entry ledger (src/core/ledger): journal entries of balanced postings on a chart of accounts, each
-- entry recorded once under its idempotency key, immutable once written. Every money movement posts one in the
-- transaction of its state change, and every balance shown is read from the postings.
--
-- The database refuses what the code must never do:
--   - an entry whose postings do not sum to 0, or with fewer than two postings, or a posting whose loan is not its
--     entry's: a deferred constraint trigger checks each entry at the COMMIT of the transaction that wrote it
--     (SQLSTATE CP010), so an entry may be written posting by posting and is judged whole;
--   - a posting added to an entry written by another transaction (CP010, at once): so every posting of an entry is
--     judged at that entry's commit. (One check per entry, not per posting: 100,000 entries commit in seconds.)
--   - a zero posting (CHECK);
--   - any UPDATE or DELETE of an entry or a posting, and TRUNCATE (SQLSTATE CP011): a mistake is corrected by a
--     new, reversing entry.
-- Expand/contract: loan_journal_entry is no longer written by this release but kept (a process of the previous
-- release may still write it during a rolling deploy); the release that drops it first re-runs the backfill
-- below for the rows not yet moved (keys journal:<id> not in ledger_entry).

-- The chart of accounts (src/core/ledger/accounts.ts documents each: what it holds and its normal side).
CREATE TYPE "LedgerAccount" AS ENUM (
  'LOAN_PRINCIPAL', 'INTEREST_RECEIVABLE', 'CHARGES_RECEIVABLE', 'BORROWER_EXCESS',
  'INTEREST_INCOME', 'FEE_INCOME', 'CHARGES_INCOME', 'GST_PAYABLE',
  'DISBURSEMENT_CLEARING', 'COLLECTION_CLEARING', 'WRITE_OFF_EXPENSE'
);
CREATE TYPE "LedgerEntryKind" AS ENUM ('DISBURSEMENT', 'INTEREST', 'REPAYMENT', 'CHARGE', 'REFUND', 'WRITE_OFF');

-- A journal entry: one money movement. loan_id is null for a bank-level entry.
CREATE TABLE "ledger_entry" (
  "id" BIGSERIAL NOT NULL,
  "idempotency_key" TEXT NOT NULL,
  "loan_id" TEXT,
  "value_date" DATE NOT NULL,
  "kind" "LedgerEntryKind" NOT NULL,
  "reference" TEXT NOT NULL,
  "narration" TEXT NOT NULL,
  "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  -- The (top-level) transaction that wrote the entry: only it may add postings to it.
  "tx_id" BIGINT NOT NULL DEFAULT txid_current(),
  CONSTRAINT "ledger_entry_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "ledger_entry_idempotency_key_key" ON "ledger_entry"("idempotency_key");
CREATE INDEX "ledger_entry_loan_id_value_date_idx" ON "ledger_entry"("loan_id", "value_date");
ALTER TABLE "ledger_entry" ADD CONSTRAINT "ledger_entry_loan_id_fkey" FOREIGN KEY ("loan_id") REFERENCES "loan_account"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- A posting: a signed amount on one account, debit positive, credit negative; carries its entry's loan id.
CREATE TABLE "ledger_posting" (
  "id" BIGSERIAL NOT NULL,
  "entry_id" BIGINT NOT NULL,
  "account" "LedgerAccount" NOT NULL,
  "loan_id" TEXT,
  "amount_micros" BIGINT NOT NULL,
  "memo" TEXT,
  CONSTRAINT "ledger_posting_pkey" PRIMARY KEY ("id"),
  CONSTRAINT "ledger_posting_amount_not_zero" CHECK ("amount_micros" <> 0)
);
CREATE INDEX "ledger_posting_entry_id_idx" ON "ledger_posting"("entry_id");
CREATE INDEX "ledger_posting_loan_id_account_idx" ON "ledger_posting"("loan_id", "account");
ALTER TABLE "ledger_posting" ADD CONSTRAINT "ledger_posting_entry_id_fkey" FOREIGN KEY ("entry_id") REFERENCES "ledger_entry"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "ledger_posting" ADD CONSTRAINT "ledger_posting_loan_id_fkey" FOREIGN KEY ("loan_id") REFERENCES "loan_account"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- At the commit of the transaction that wrote an entry: the entry has at least two postings, they sum to 0, and
-- each carries the entry's loan id. CP010 otherwise.
CREATE FUNCTION "ledger_entry_check"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  checked_entry BIGINT := NEW."id";
  total NUMERIC;
  postings INTEGER;
  foreign_loan INTEGER;
BEGIN
  SELECT COALESCE(SUM(p."amount_micros"), 0), COUNT(p."id"), COUNT(p."id") FILTER (WHERE p."loan_id" IS DISTINCT FROM e."loan_id")
    INTO total, postings, foreign_loan
    FROM "ledger_entry" e LEFT JOIN "ledger_posting" p ON p."entry_id" = e."id"
    WHERE e."id" = checked_entry;
  IF postings < 2 THEN
    RAISE EXCEPTION USING ERRCODE = 'CP010', MESSAGE = format('ledger entry %s has %s posting(s); an entry needs at least two', checked_entry, postings);
  END IF;
  IF total <> 0 THEN
    RAISE EXCEPTION USING ERRCODE = 'CP010', MESSAGE = format('ledger entry %s does not balance: its postings sum to %s micros', checked_entry, total);
  END IF;
  IF foreign_loan > 0 THEN
    RAISE EXCEPTION USING ERRCODE = 'CP010', MESSAGE = format('ledger entry %s has postings of another loan', checked_entry);
  END IF;
  RETURN NULL;
END;
$$;

CREATE CONSTRAINT TRIGGER "ledger_entry_balanced" AFTER INSERT ON "ledger_entry"
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION "ledger_entry_check"();

-- After each INSERT statement on postings, set-based: every posting's entry was written by this transaction
-- (whose commit will check it). CP010 otherwise.
CREATE FUNCTION "ledger_posting_same_transaction"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  late BIGINT;
BEGIN
  SELECT p."entry_id" INTO late FROM "new_postings" p JOIN "ledger_entry" e ON e."id" = p."entry_id" WHERE e."tx_id" <> txid_current() LIMIT 1;
  IF late IS NOT NULL THEN
    RAISE EXCEPTION USING ERRCODE = 'CP010', MESSAGE = format('ledger entry %s was written by another transaction: postings cannot be added to it', late);
  END IF;
  RETURN NULL;
END;
$$;
CREATE TRIGGER "ledger_posting_same_transaction" AFTER INSERT ON "ledger_posting"
  REFERENCING NEW TABLE AS "new_postings" FOR EACH STATEMENT EXECUTE FUNCTION "ledger_posting_same_transaction"();

-- Entries and postings are written once: UPDATE, DELETE and TRUNCATE are refused (CP011).
CREATE FUNCTION "ledger_immutable"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION USING ERRCODE = 'CP011', MESSAGE = format('%s is append-only: %s refused; post a reversing entry instead', TG_TABLE_NAME, TG_OP);
END;
$$;
CREATE TRIGGER "ledger_entry_immutable" BEFORE UPDATE OR DELETE ON "ledger_entry" FOR EACH ROW EXECUTE FUNCTION "ledger_immutable"();
CREATE TRIGGER "ledger_posting_immutable" BEFORE UPDATE OR DELETE ON "ledger_posting" FOR EACH ROW EXECUTE FUNCTION "ledger_immutable"();
CREATE TRIGGER "ledger_entry_no_truncate" BEFORE TRUNCATE ON "ledger_entry" FOR EACH STATEMENT EXECUTE FUNCTION "ledger_immutable"();
CREATE TRIGGER "ledger_posting_no_truncate" BEFORE TRUNCATE ON "ledger_posting" FOR EACH STATEMENT EXECUTE FUNCTION "ledger_immutable"();

-- Existing loans' history: each loan_journal_entry row with an amount becomes one balanced entry, key
-- journal:<id>, same loan, value date, reference and narration (the statement line's words), created at the row's
-- occurred_at, in the journal's order. The journal held the borrower's side only; the other side is the contra account of its kind:
--
-- | journal row (direction) | entry kind | postings |
-- |---|---|---|
-- | DISBURSEMENT a (DEBIT) | DISBURSEMENT | Dr LOAN_PRINCIPAL a, Cr DISBURSEMENT_CLEARING a |
-- | PROCESSING_FEE a (DEBIT) | DISBURSEMENT | Dr LOAN_PRINCIPAL a, Cr FEE_INCOME a |
-- | PROCESSING_FEE_GST a (DEBIT) | DISBURSEMENT | Dr LOAN_PRINCIPAL a, Cr GST_PAYABLE a |
-- | INTEREST a (DEBIT) | INTEREST | Dr INTEREST_RECEIVABLE a, Cr INTEREST_INCOME a |
-- | REPAYMENT a (CREDIT) | REPAYMENT | Dr COLLECTION_CLEARING a, Cr CHARGES_RECEIVABLE / INTEREST_RECEIVABLE / LOAN_PRINCIPAL by the repayment's penalty / interest / principal (which sum to a) |
-- | EXCESS_PAYMENT a (CREDIT) | REPAYMENT | Dr COLLECTION_CLEARING a, Cr BORROWER_EXCESS a |
--
-- Rows of amount 0 (a fee of ₹0) move nothing and are not moved; zero parts of a repayment post no line. A
-- REPAYMENT row whose repayment's allocation does not sum to its amount stops the migration (nothing is guessed).
DO $$
DECLARE
  bad BIGINT;
BEGIN
  SELECT j."id" INTO bad
    FROM "loan_journal_entry" j LEFT JOIN "loan_repayment" r ON r."id" = j."repayment_id"
    WHERE j."kind" = 'REPAYMENT' AND j."amount_micros" <> 0
      AND (r."id" IS NULL OR COALESCE(r."principal_micros", 0) + COALESCE(r."interest_micros", 0) + COALESCE(r."penalty_micros", 0) <> j."amount_micros")
    ORDER BY j."id" LIMIT 1;
  IF bad IS NOT NULL THEN
    RAISE EXCEPTION 'loan_journal_entry % (REPAYMENT) has no repayment whose principal + interest + penalty equals its amount', bad;
  END IF;
END;
$$;

INSERT INTO "ledger_entry" ("idempotency_key", "loan_id", "value_date", "kind", "reference", "narration", "created_at")
SELECT 'journal:' || j."id", j."loan_id", j."value_date",
  (CASE j."kind"
     WHEN 'DISBURSEMENT' THEN 'DISBURSEMENT' WHEN 'PROCESSING_FEE' THEN 'DISBURSEMENT' WHEN 'PROCESSING_FEE_GST' THEN 'DISBURSEMENT'
     WHEN 'INTEREST' THEN 'INTEREST' ELSE 'REPAYMENT' END)::"LedgerEntryKind",
  j."reference", j."narration", j."occurred_at"
FROM "loan_journal_entry" j
WHERE j."amount_micros" <> 0
ORDER BY j."id";

INSERT INTO "ledger_posting" ("entry_id", "account", "loan_id", "amount_micros")
SELECT e."id", p."account"::"LedgerAccount", j."loan_id", p."amount"
FROM "loan_journal_entry" j
JOIN "ledger_entry" e ON e."idempotency_key" = 'journal:' || j."id"
LEFT JOIN "loan_repayment" r ON r."id" = j."repayment_id"
CROSS JOIN LATERAL (VALUES
  (1, CASE WHEN j."kind" IN ('DISBURSEMENT', 'PROCESSING_FEE', 'PROCESSING_FEE_GST') THEN 'LOAN_PRINCIPAL'
           WHEN j."kind" = 'INTEREST' THEN 'INTEREST_RECEIVABLE'
           ELSE 'COLLECTION_CLEARING' END,
      j."amount_micros"),
  (2, CASE j."kind" WHEN 'DISBURSEMENT' THEN 'DISBURSEMENT_CLEARING' WHEN 'PROCESSING_FEE' THEN 'FEE_INCOME'
           WHEN 'PROCESSING_FEE_GST' THEN 'GST_PAYABLE' WHEN 'INTEREST' THEN 'INTEREST_INCOME' WHEN 'EXCESS_PAYMENT' THEN 'BORROWER_EXCESS' END,
      -j."amount_micros"),
  (3, CASE WHEN j."kind" = 'REPAYMENT' THEN 'CHARGES_RECEIVABLE' END, -COALESCE(r."penalty_micros", 0)),
  (4, CASE WHEN j."kind" = 'REPAYMENT' THEN 'INTEREST_RECEIVABLE' END, -COALESCE(r."interest_micros", 0)),
  (5, CASE WHEN j."kind" = 'REPAYMENT' THEN 'LOAN_PRINCIPAL' END, -COALESCE(r."principal_micros", 0))
) AS p("n", "account", "amount")
WHERE j."amount_micros" <> 0 AND p."account" IS NOT NULL AND p."amount" <> 0
ORDER BY e."id", p."n";

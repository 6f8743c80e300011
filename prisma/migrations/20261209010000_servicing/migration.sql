-- Servicing after the payout (issue 16): the business-day clock, the close-of-business run, daily accrual,
-- delinquency, charges, mandate collections with pre-debit notices, refunds and closure.
-- Every money movement stays in the ledger (ledger_entry / ledger_posting); the tables below hold the facts and
-- the work of servicing, never a balance.

-- The sandbox's business date: the wall date (IST) plus offset_days, moved only by POST /sandbox/clock/advance.
-- Production never reads offset_days (its business date is the wall date) and the endpoint refuses there.
CREATE TABLE "business_clock" (
  "id" SMALLINT NOT NULL DEFAULT 1,
  "offset_days" INTEGER NOT NULL DEFAULT 0,
  "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  CONSTRAINT "business_clock_pkey" PRIMARY KEY ("id"),
  CONSTRAINT "business_clock_single_row" CHECK ("id" = 1),
  CONSTRAINT "business_clock_forward_only" CHECK ("offset_days" >= 0)
);
INSERT INTO "business_clock" ("id", "offset_days") VALUES (1, 0);

-- One close-of-business run per business date: idempotent per date (the primary key) and resumable (each step
-- commits together with its name in steps_done, so a run that crashed resumes at the first step not done).
CREATE TABLE "servicing_day" (
  "business_date" DATE NOT NULL,
  "steps_done" TEXT[] DEFAULT '{}',
  "counts" JSONB NOT NULL DEFAULT '{}',
  "started_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  "finished_at" TIMESTAMPTZ(3),
  CONSTRAINT "servicing_day_pkey" PRIMARY KEY ("business_date")
);

-- RBI's classification of a loan by days past due (SMA-0/1/2, NPA beyond 90 days).
CREATE TYPE "AssetClass" AS ENUM ('STANDARD', 'SMA_0', 'SMA_1', 'SMA_2', 'NPA');
CREATE TYPE "LoanClosure" AS ENUM ('REPAID', 'FORECLOSED', 'COOLING_OFF_EXIT');

ALTER TABLE "loan_account"
  ADD COLUMN "days_past_due" INTEGER NOT NULL DEFAULT 0,
  ADD COLUMN "asset_class" "AssetClass" NOT NULL DEFAULT 'STANDARD',
  ADD COLUMN "npa_since" DATE,
  ADD COLUMN "disbursed_on" DATE,
  ADD COLUMN "closed_on" DATE,
  ADD COLUMN "closure" "LoanClosure",
  ADD COLUMN "mandate_cancelled_on" DATE;
UPDATE "loan_account" SET "disbursed_on" = ("disbursed_at" AT TIME ZONE 'Asia/Kolkata')::date;
ALTER TABLE "loan_account" ALTER COLUMN "disbursed_on" SET NOT NULL;
CREATE INDEX "loan_account_state_idx" ON "loan_account"("state");

-- A row inserted without the business date of its payout (a process of the previous release during a rolling
-- deploy, a hand-written fixture) gets the IST date of disbursed_at.
CREATE FUNCTION "loan_account_fill_disbursed_on"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW."disbursed_on" IS NULL THEN NEW."disbursed_on" := (NEW."disbursed_at" AT TIME ZONE 'Asia/Kolkata')::date; END IF;
  RETURN NEW;
END;
$$;
CREATE TRIGGER "loan_account_fill_disbursed_on" BEFORE INSERT ON "loan_account" FOR EACH ROW EXECUTE FUNCTION "loan_account_fill_disbursed_on"();

-- An instalment accrues its interest day by day from accrues_from (the previous due date, or the disbursement
-- date for the first) to its due date; interest_accrued_micros is what the daily accrual has booked of it.
ALTER TYPE "InstalmentStatus" ADD VALUE 'CANCELLED';
ALTER TABLE "loan_instalment"
  ADD COLUMN "accrues_from" DATE,
  ADD COLUMN "interest_accrued_micros" BIGINT NOT NULL DEFAULT 0,
  ADD COLUMN "penal_charged_on" DATE,
  -- Set by a re-amortisation mid-period: the interest already earned on the old balance (base) on that date; the
  -- rest accrues evenly from then to the due date (src/core/loan/accrual.ts).
  ADD COLUMN "accrual_base_micros" BIGINT NOT NULL DEFAULT 0,
  ADD COLUMN "accrual_base_on" DATE;
UPDATE "loan_instalment" i SET "accrues_from" = COALESCE(
  (SELECT p."due_date" FROM "loan_instalment" p WHERE p."loan_id" = i."loan_id" AND p."sequence" = i."sequence" - 1),
  (SELECT l."disbursed_on" FROM "loan_account" l WHERE l."id" = i."loan_id"));
-- Interest a repayment already booked as earned counts as accrued.
UPDATE "loan_instalment" SET "interest_accrued_micros" = "interest_paid_micros";
ALTER TABLE "loan_instalment" ALTER COLUMN "accrues_from" SET NOT NULL;
-- The same for an instalment inserted without the start of its period: the previous instalment's due date, or the
-- loan's payout date for the first.
CREATE FUNCTION "loan_instalment_fill_accrues_from"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW."accrues_from" IS NULL THEN
    NEW."accrues_from" := COALESCE(
      (SELECT p."due_date" FROM "loan_instalment" p WHERE p."loan_id" = NEW."loan_id" AND p."sequence" = NEW."sequence" - 1),
      (SELECT l."disbursed_on" FROM "loan_account" l WHERE l."id" = NEW."loan_id"));
  END IF;
  RETURN NEW;
END;
$$;
CREATE TRIGGER "loan_instalment_fill_accrues_from" BEFORE INSERT ON "loan_instalment" FOR EACH ROW EXECUTE FUNCTION "loan_instalment_fill_accrues_from"();
CREATE INDEX "loan_instalment_due_date_idx" ON "loan_instalment"("due_date");

-- Charges levied on a loan (the money is in the ledger: CHARGE entries); paid_micros is what repayments paid of
-- each (charges are paid oldest first).
CREATE TYPE "ChargeKind" AS ENUM ('BOUNCE', 'PENAL', 'FORECLOSURE');
CREATE TABLE "loan_charge" (
  "id" TEXT NOT NULL,
  "loan_id" TEXT NOT NULL,
  "kind" "ChargeKind" NOT NULL,
  "instalment_sequence" INTEGER,
  "levied_on" DATE NOT NULL,
  "charge_micros" BIGINT NOT NULL,
  "gst_micros" BIGINT NOT NULL,
  "paid_micros" BIGINT NOT NULL DEFAULT 0,
  "reference" TEXT NOT NULL,
  "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  CONSTRAINT "loan_charge_pkey" PRIMARY KEY ("id"),
  CONSTRAINT "loan_charge_amounts" CHECK ("charge_micros" > 0 AND "gst_micros" >= 0 AND "paid_micros" >= 0 AND "paid_micros" <= "charge_micros" + "gst_micros")
);
CREATE INDEX "loan_charge_loan_id_idx" ON "loan_charge"("loan_id");
ALTER TABLE "loan_charge" ADD CONSTRAINT "loan_charge_loan_id_fkey" FOREIGN KEY ("loan_id") REFERENCES "loan_account"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- One presentation of an instalment's debit under the mandate. SCHEDULED with its pre-debit notice, PRESENTED
-- once the worker has recorded its intent to call the rail, then DEBITED or BOUNCED from the rail's answer;
-- CANCELLED when nothing was left to collect. At most one live or successful debit per instalment.
CREATE TYPE "CollectionState" AS ENUM ('SCHEDULED', 'PRESENTED', 'DEBITED', 'BOUNCED', 'CANCELLED');
CREATE TABLE "mandate_collection" (
  "id" TEXT NOT NULL,
  "loan_id" TEXT NOT NULL,
  "instalment_sequence" INTEGER NOT NULL,
  "attempt" INTEGER NOT NULL,
  "reference" TEXT NOT NULL,
  "umrn" TEXT NOT NULL,
  "amount_micros" BIGINT NOT NULL,
  "debit_date" DATE NOT NULL,
  "notice_sent_on" DATE NOT NULL,
  -- When the gateway accepted the pre-debit notice; a debit is not presented before.
  "notice_delivered_at" TIMESTAMPTZ(3),
  "state" "CollectionState" NOT NULL,
  "rail_reference" TEXT,
  "bounce_code" TEXT,
  "bounce_reason" TEXT,
  "repayment_id" TEXT,
  "presented_at" TIMESTAMPTZ(3),
  "answered_at" TIMESTAMPTZ(3),
  "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  CONSTRAINT "mandate_collection_pkey" PRIMARY KEY ("id"),
  CONSTRAINT "mandate_collection_amount" CHECK ("amount_micros" > 0)
);
CREATE UNIQUE INDEX "mandate_collection_reference_key" ON "mandate_collection"("reference");
CREATE UNIQUE INDEX "mandate_collection_loan_id_instalment_sequence_attempt_key" ON "mandate_collection"("loan_id", "instalment_sequence", "attempt");
CREATE UNIQUE INDEX "mandate_collection_one_live_debit" ON "mandate_collection"("loan_id", "instalment_sequence") WHERE "state" IN ('SCHEDULED', 'PRESENTED', 'DEBITED');
CREATE INDEX "mandate_collection_state_debit_date_idx" ON "mandate_collection"("state", "debit_date");
ALTER TABLE "mandate_collection" ADD CONSTRAINT "mandate_collection_loan_id_fkey" FOREIGN KEY ("loan_id") REFERENCES "loan_account"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- Excess paid back to the borrower through the payout rail: the intent is recorded before the rail is called.
CREATE TYPE "RefundState" AS ENUM ('REQUESTED', 'SUCCEEDED', 'FAILED');
CREATE TABLE "loan_refund" (
  "id" TEXT NOT NULL,
  "loan_id" TEXT NOT NULL,
  "reference" TEXT NOT NULL,
  "amount_micros" BIGINT NOT NULL,
  "state" "RefundState" NOT NULL,
  "utr" TEXT,
  "failure_reason" TEXT,
  "requested_on" DATE NOT NULL,
  "requested_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  "completed_at" TIMESTAMPTZ(3),
  CONSTRAINT "loan_refund_pkey" PRIMARY KEY ("id"),
  CONSTRAINT "loan_refund_amount" CHECK ("amount_micros" > 0)
);
CREATE UNIQUE INDEX "loan_refund_reference_key" ON "loan_refund"("reference");
CREATE INDEX "loan_refund_loan_id_idx" ON "loan_refund"("loan_id");
ALTER TABLE "loan_refund" ADD CONSTRAINT "loan_refund_loan_id_fkey" FOREIGN KEY ("loan_id") REFERENCES "loan_account"("id") ON DELETE RESTRICT ON UPDATE CASCADE;


-- What a repayment is for. DUES: what is due, anything beyond it prepays principal (the tenure shortens);
-- PREPAY_REDUCE_EMI / PREPAY_REDUCE_TENURE: a part-prepayment with the borrower's choice of re-amortisation;
-- FORECLOSURE: the whole loan paid off (the quote of the day); COOLING_OFF_EXIT: the loan returned within the
-- cooling-off period (principal plus proportionate interest at the APR, no charge).
CREATE TYPE "RepaymentPurpose" AS ENUM ('DUES', 'PREPAY_REDUCE_EMI', 'PREPAY_REDUCE_TENURE', 'FORECLOSURE', 'COOLING_OFF_EXIT');
ALTER TABLE "loan_repayment"
  ADD COLUMN "purpose" "RepaymentPurpose" NOT NULL DEFAULT 'DUES',
  ADD COLUMN "value_date" DATE,
  ADD COLUMN "prepayment_micros" BIGINT;

-- The close of business's candidates (instalments unpaid and due by a date: debits to schedule, instalments
-- becoming overdue, the oldest overdue of each loan) without reading the paid history of every loan.
CREATE INDEX "loan_instalment_unpaid_due_date_idx" ON "loan_instalment"("due_date") WHERE "status" IN ('DUE', 'PARTIALLY_PAID', 'OVERDUE');

-- The close of business updates each open loan's accruing instalment every day: room left in each page lets
-- those updates stay on the page (HOT: no new index entries), which halves the accrual's time at 100k loans.
ALTER TABLE "loan_instalment" SET (fillfactor = 85);

-- A mandate by its UMRN: the rail's debits and returns name it (the sandbox rail looks its persona up on every
-- debit; without it each debit read every authorisation: 101 s instead of 64 s for 2,857 debits at 100k loans).
CREATE INDEX "mandate_authorisation_umrn_idx" ON "mandate_authorisation"("umrn");

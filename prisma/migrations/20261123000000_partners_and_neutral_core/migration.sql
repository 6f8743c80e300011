-- Partners as data, a core that speaks of partners instead of one aggregator, several offers / KYC attempts /
-- mandates / submissions per application with one current, and the disbursement intent.
-- Existing rows are kept: every aggregator id found in the data becomes a GPAY partner.

-- CreateEnum
CREATE TYPE "PartnerProtocol" AS ENUM ('GPAY', 'OCEN');

-- CreateEnum
CREATE TYPE "PartnerStatus" AS ENUM ('ACTIVE', 'SUSPENDED');

-- CreateEnum
CREATE TYPE "DisbursementState" AS ENUM ('REQUESTED', 'SUCCEEDED', 'FAILED');

-- CreateTable
CREATE TABLE "partner" (
    "id" TEXT NOT NULL,
    "display_name" TEXT NOT NULL,
    "protocol" "PartnerProtocol" NOT NULL,
    "status" "PartnerStatus" NOT NULL DEFAULT 'ACTIVE',
    "jwks" JSONB NOT NULL DEFAULT '{"keys":[]}',
    "callback_base_url" TEXT,
    "sms_template" TEXT,
    "rate_limit_per_minute" INTEGER,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "partner_pkey" PRIMARY KEY ("id")
);

INSERT INTO "partner" ("id", "display_name", "protocol", "updated_at")
SELECT DISTINCT "aggregator_id", "aggregator_id", 'GPAY'::"PartnerProtocol", CURRENT_TIMESTAMP
FROM (
    SELECT "aggregator_id" FROM "application"
    UNION SELECT "aggregator_id" FROM "ckyc_search"
    UNION SELECT "aggregator_id" FROM "idempotency_record"
) AS "known";

-- Idempotency records: per partner
ALTER TABLE "idempotency_record" RENAME COLUMN "aggregator_id" TO "partner_id";
ALTER INDEX "idempotency_record_aggregator_id_request_id_key" RENAME TO "idempotency_record_partner_id_request_id_key";

-- OTP challenges: issued for a partner (its SMS template); live challenges of the old single aggregator keep working
ALTER TABLE "otp_challenge" ADD COLUMN "partner_id" TEXT;
INSERT INTO "partner" ("id", "display_name", "protocol", "updated_at")
SELECT 'gpay', 'gpay', 'GPAY', CURRENT_TIMESTAMP
WHERE EXISTS (SELECT 1 FROM "otp_challenge") AND NOT EXISTS (SELECT 1 FROM "partner");
UPDATE "otp_challenge" SET "partner_id" = (SELECT "id" FROM "partner" ORDER BY "created_at", "id" LIMIT 1);
ALTER TABLE "otp_challenge" ALTER COLUMN "partner_id" SET NOT NULL;

-- Applications: the partner and its own reference, this lender's reference, and the current offer/KYC/mandate/submission
ALTER TABLE "application" RENAME COLUMN "aggregator_id" TO "partner_id";
ALTER TABLE "application" RENAME COLUMN "google_application_id" TO "external_reference";
ALTER TABLE "application" RENAME COLUMN "partner_application_reference_id" TO "lender_reference";
ALTER INDEX "application_aggregator_id_google_application_id_key" RENAME TO "application_partner_id_external_reference_key";
ALTER INDEX "application_partner_application_reference_id_key" RENAME TO "application_lender_reference_key";
ALTER TABLE "application" ADD COLUMN "current_offer_id" TEXT,
ADD COLUMN "current_kyc_id" TEXT,
ADD COLUMN "current_mandate_id" TEXT,
ADD COLUMN "current_submission_id" TEXT;
UPDATE "application" a SET "current_offer_id" = (SELECT o."id" FROM "offer" o WHERE o."application_id" = a."id");
UPDATE "application" a SET "current_kyc_id" = (SELECT k."id" FROM "kyc" k WHERE k."application_id" = a."id");
UPDATE "application" a SET "current_mandate_id" = (SELECT m."id" FROM "repayment_mandate" m WHERE m."application_id" = a."id");
UPDATE "application" a SET "current_submission_id" = (SELECT s."id" FROM "loan_submission" s WHERE s."application_id" = a."id");

-- CKYC searches: per partner and the partner's application reference
ALTER TABLE "ckyc_search" RENAME COLUMN "aggregator_id" TO "partner_id";
ALTER TABLE "ckyc_search" RENAME COLUMN "google_application_id" TO "external_reference";
ALTER INDEX "ckyc_search_aggregator_id_google_application_id_idx" RENAME TO "ckyc_search_partner_id_external_reference_idx";

-- Several offers, KYC attempts, mandates and submissions per application
DROP INDEX "offer_application_id_key";
CREATE INDEX "offer_application_id_idx" ON "offer"("application_id");
DROP INDEX "kyc_application_id_key";
CREATE INDEX "kyc_application_id_idx" ON "kyc"("application_id");
DROP INDEX "repayment_mandate_application_id_key";
CREATE INDEX "repayment_mandate_application_id_idx" ON "repayment_mandate"("application_id");
DROP INDEX "loan_submission_application_id_key";
CREATE INDEX "loan_submission_application_id_idx" ON "loan_submission"("application_id");

-- CreateTable
CREATE TABLE "disbursement" (
    "id" TEXT NOT NULL,
    "application_id" TEXT NOT NULL,
    "submission_id" TEXT NOT NULL,
    "reference" TEXT NOT NULL,
    "amount_micros" BIGINT NOT NULL,
    "state" "DisbursementState" NOT NULL,
    "utr" TEXT,
    "failure_reason" TEXT,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "requested_at" TIMESTAMPTZ(3) NOT NULL,
    "last_attempt_at" TIMESTAMPTZ(3),
    "completed_at" TIMESTAMPTZ(3),

    CONSTRAINT "disbursement_pkey" PRIMARY KEY ("id")
);

-- Loans disbursed before this migration keep their record of the payout
INSERT INTO "disbursement" ("id", "application_id", "submission_id", "reference", "amount_micros", "state", "utr", "attempts", "requested_at", "last_attempt_at", "completed_at")
SELECT l."id", l."application_id", s."id", split_part(l."disbursement_reference", ':', 1), l."disbursed_micros", 'SUCCEEDED',
       split_part(l."disbursement_reference", ':', 2), 1, l."disbursed_at", l."disbursed_at", l."disbursed_at"
FROM "loan_account" l JOIN "loan_submission" s ON s."application_id" = l."application_id";

-- CreateIndex
CREATE UNIQUE INDEX "disbursement_application_id_key" ON "disbursement"("application_id");

-- CreateIndex
CREATE UNIQUE INDEX "disbursement_reference_key" ON "disbursement"("reference");

-- CreateIndex
CREATE INDEX "disbursement_state_last_attempt_at_idx" ON "disbursement"("state", "last_attempt_at");

-- CreateIndex
CREATE UNIQUE INDEX "application_current_offer_id_key" ON "application"("current_offer_id");

-- CreateIndex
CREATE UNIQUE INDEX "application_current_kyc_id_key" ON "application"("current_kyc_id");

-- CreateIndex
CREATE UNIQUE INDEX "application_current_mandate_id_key" ON "application"("current_mandate_id");

-- CreateIndex
CREATE UNIQUE INDEX "application_current_submission_id_key" ON "application"("current_submission_id");

-- AddForeignKey
ALTER TABLE "otp_challenge" ADD CONSTRAINT "otp_challenge_partner_id_fkey" FOREIGN KEY ("partner_id") REFERENCES "partner"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "application" ADD CONSTRAINT "application_partner_id_fkey" FOREIGN KEY ("partner_id") REFERENCES "partner"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "application" ADD CONSTRAINT "application_current_offer_id_fkey" FOREIGN KEY ("current_offer_id") REFERENCES "offer"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "application" ADD CONSTRAINT "application_current_kyc_id_fkey" FOREIGN KEY ("current_kyc_id") REFERENCES "kyc"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "application" ADD CONSTRAINT "application_current_mandate_id_fkey" FOREIGN KEY ("current_mandate_id") REFERENCES "repayment_mandate"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "application" ADD CONSTRAINT "application_current_submission_id_fkey" FOREIGN KEY ("current_submission_id") REFERENCES "loan_submission"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ckyc_search" ADD CONSTRAINT "ckyc_search_partner_id_fkey" FOREIGN KEY ("partner_id") REFERENCES "partner"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "disbursement" ADD CONSTRAINT "disbursement_application_id_fkey" FOREIGN KEY ("application_id") REFERENCES "application"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

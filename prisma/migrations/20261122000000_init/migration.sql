-- Initial schema (generated with npm run db:diff from prisma/schema.prisma) and the default product.

-- CreateEnum
CREATE TYPE "ApprovalState" AS ENUM ('IN_PROCESS', 'INCOME_VERIFICATION', 'APPROVED', 'REJECTED');

-- CreateEnum
CREATE TYPE "ApplicationState" AS ENUM ('CREDIT_APPROVAL_PENDING', 'IN_PROGRESS', 'SUBMITTED', 'DISBURSED', 'REJECTED');

-- CreateEnum
CREATE TYPE "KycState" AS ENUM ('NOT_STARTED', 'IN_PROGRESS', 'AWAITING_APPROVAL', 'APPROVED', 'REJECTED', 'EXPIRED');

-- CreateEnum
CREATE TYPE "KycMethod" AS ENUM ('EKYC', 'VIDEO_KYC', 'CKYC', 'OFFLINE');

-- CreateEnum
CREATE TYPE "MandateState" AS ENUM ('PENDING', 'ACTIVE', 'FAILED');

-- CreateEnum
CREATE TYPE "LoanState" AS ENUM ('ACTIVE', 'INACTIVE', 'CLOSED', 'DELINQUENT');

-- CreateEnum
CREATE TYPE "InstalmentStatus" AS ENUM ('DUE', 'PAID', 'OVERDUE');

-- CreateTable
CREATE TABLE "idempotency_record" (
    "id" BIGSERIAL NOT NULL,
    "aggregator_id" TEXT NOT NULL,
    "request_id" TEXT NOT NULL,
    "operation" TEXT NOT NULL,
    "fingerprint" TEXT NOT NULL,
    "http_status" INTEGER NOT NULL,
    "response_body" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "idempotency_record_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "otp_challenge" (
    "id" TEXT NOT NULL,
    "phone_hash" TEXT NOT NULL,
    "phone_ciphertext" TEXT NOT NULL,
    "context" TEXT NOT NULL,
    "secret_ciphertext" TEXT NOT NULL,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "max_attempts" INTEGER NOT NULL,
    "consumed_at" TIMESTAMPTZ(3),
    "consumed_by" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "otp_challenge_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "otp_phone_guard" (
    "phone_hash" TEXT NOT NULL,
    "consecutive_failures" INTEGER NOT NULL DEFAULT 0,
    "lockouts" INTEGER NOT NULL DEFAULT 0,
    "locked_until" TIMESTAMPTZ(3),
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "otp_phone_guard_pkey" PRIMARY KEY ("phone_hash")
);

-- CreateTable
CREATE TABLE "product" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "min_amount_micros" BIGINT NOT NULL,
    "max_amount_micros" BIGINT NOT NULL,
    "amount_step_micros" BIGINT NOT NULL,
    "min_tenure_months" INTEGER NOT NULL,
    "max_tenure_months" INTEGER NOT NULL,
    "tenure_step_months" INTEGER NOT NULL,
    "processing_fee_rate_e5" INTEGER NOT NULL,
    "processing_fee_min_micros" BIGINT NOT NULL,
    "gst_rate_e5" INTEGER NOT NULL,
    "offer_validity_hours" INTEGER NOT NULL,
    "active" BOOLEAN NOT NULL DEFAULT true,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "product_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "application" (
    "id" TEXT NOT NULL,
    "aggregator_id" TEXT NOT NULL,
    "google_application_id" TEXT NOT NULL,
    "partner_application_reference_id" TEXT NOT NULL,
    "product_id" TEXT NOT NULL,
    "phone_hash" TEXT NOT NULL,
    "pan_hash" TEXT NOT NULL,
    "pan_last4" TEXT NOT NULL,
    "applicant_ciphertext" TEXT NOT NULL,
    "loan_purpose" TEXT NOT NULL,
    "requested_amount_micros" BIGINT NOT NULL,
    "ckyc_id" TEXT,
    "approval_state" "ApprovalState" NOT NULL,
    "approval_rejection_reason" TEXT,
    "approval_rejection_description" TEXT,
    "application_state" "ApplicationState" NOT NULL,
    "rejection_reason" TEXT,
    "rejection_description" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "application_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "offer" (
    "id" TEXT NOT NULL,
    "application_id" TEXT NOT NULL,
    "product_id" TEXT NOT NULL,
    "min_amount_micros" BIGINT NOT NULL,
    "max_amount_micros" BIGINT NOT NULL,
    "amount_step_micros" BIGINT NOT NULL,
    "min_tenure_months" INTEGER NOT NULL,
    "max_tenure_months" INTEGER NOT NULL,
    "tenure_step_months" INTEGER NOT NULL,
    "interest_rate_e5" INTEGER NOT NULL,
    "processing_fee_rate_e5" INTEGER NOT NULL,
    "processing_fee_min_micros" BIGINT NOT NULL,
    "gst_rate_e5" INTEGER NOT NULL,
    "risk_band" TEXT NOT NULL,
    "starts_at" TIMESTAMPTZ(3) NOT NULL,
    "ends_at" TIMESTAMPTZ(3) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "offer_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "kyc" (
    "id" TEXT NOT NULL,
    "application_id" TEXT NOT NULL,
    "state" "KycState" NOT NULL,
    "eligible_methods" "KycMethod"[],
    "completed_method" "KycMethod",
    "rejection_reason" TEXT,
    "url_token_hash" TEXT NOT NULL,
    "url_token_expires_at" TIMESTAMPTZ(3) NOT NULL,
    "approval_valid_until" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "kyc_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ckyc_search" (
    "id" TEXT NOT NULL,
    "aggregator_id" TEXT NOT NULL,
    "google_application_id" TEXT NOT NULL,
    "pan_hash" TEXT NOT NULL,
    "ckyc_id" TEXT,
    "consent_version" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ckyc_search_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "repayment_mandate" (
    "id" TEXT NOT NULL,
    "application_id" TEXT NOT NULL,
    "state" "MandateState" NOT NULL,
    "url_token_hash" TEXT NOT NULL,
    "auth_code_hash" TEXT NOT NULL,
    "link_expires_at" TIMESTAMPTZ(3) NOT NULL,
    "mandate_reference" TEXT,
    "failure_reason" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "repayment_mandate_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "loan_submission" (
    "id" TEXT NOT NULL,
    "application_id" TEXT NOT NULL,
    "loan_amount_micros" BIGINT NOT NULL,
    "tenure_months" INTEGER NOT NULL,
    "interest_rate_e5" INTEGER NOT NULL,
    "emi_micros" BIGINT NOT NULL,
    "processing_fee_micros" BIGINT NOT NULL,
    "processing_fee_gst_micros" BIGINT NOT NULL,
    "net_disbursal_micros" BIGINT NOT NULL,
    "tnc_acceptances" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "loan_submission_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "loan_account" (
    "id" TEXT NOT NULL,
    "account_token" TEXT NOT NULL,
    "application_id" TEXT NOT NULL,
    "state" "LoanState" NOT NULL,
    "sanctioned_micros" BIGINT NOT NULL,
    "disbursed_micros" BIGINT NOT NULL,
    "interest_rate_e5" INTEGER NOT NULL,
    "tenure_months" INTEGER NOT NULL,
    "emi_micros" BIGINT NOT NULL,
    "outstanding_principal_micros" BIGINT NOT NULL,
    "disbursement_reference" TEXT NOT NULL,
    "disbursed_at" TIMESTAMPTZ(3) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "loan_account_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "loan_instalment" (
    "id" BIGSERIAL NOT NULL,
    "loan_id" TEXT NOT NULL,
    "sequence" INTEGER NOT NULL,
    "due_date" DATE NOT NULL,
    "emi_micros" BIGINT NOT NULL,
    "principal_micros" BIGINT NOT NULL,
    "interest_micros" BIGINT NOT NULL,
    "status" "InstalmentStatus" NOT NULL,

    CONSTRAINT "loan_instalment_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "state_transition" (
    "id" BIGSERIAL NOT NULL,
    "aggregate" TEXT NOT NULL,
    "entity_id" TEXT NOT NULL,
    "from_state" TEXT,
    "to_state" TEXT NOT NULL,
    "reason" TEXT,
    "occurred_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "state_transition_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "outbox_message" (
    "id" TEXT NOT NULL,
    "topic" TEXT NOT NULL,
    "payload" JSONB NOT NULL,
    "available_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "published_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "outbox_message_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "processed_message" (
    "handler" TEXT NOT NULL,
    "message_id" TEXT NOT NULL,
    "processed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "processed_message_pkey" PRIMARY KEY ("handler","message_id")
);

-- CreateIndex
CREATE INDEX "idempotency_record_created_at_idx" ON "idempotency_record"("created_at");

-- CreateIndex
CREATE UNIQUE INDEX "idempotency_record_aggregator_id_request_id_key" ON "idempotency_record"("aggregator_id", "request_id");

-- CreateIndex
CREATE INDEX "otp_challenge_phone_hash_created_at_idx" ON "otp_challenge"("phone_hash", "created_at");

-- CreateIndex
CREATE UNIQUE INDEX "application_partner_application_reference_id_key" ON "application"("partner_application_reference_id");

-- CreateIndex
CREATE UNIQUE INDEX "application_aggregator_id_google_application_id_key" ON "application"("aggregator_id", "google_application_id");

-- CreateIndex
CREATE UNIQUE INDEX "offer_application_id_key" ON "offer"("application_id");

-- CreateIndex
CREATE UNIQUE INDEX "kyc_application_id_key" ON "kyc"("application_id");

-- CreateIndex
CREATE UNIQUE INDEX "kyc_url_token_hash_key" ON "kyc"("url_token_hash");

-- CreateIndex
CREATE INDEX "ckyc_search_aggregator_id_google_application_id_idx" ON "ckyc_search"("aggregator_id", "google_application_id");

-- CreateIndex
CREATE UNIQUE INDEX "repayment_mandate_application_id_key" ON "repayment_mandate"("application_id");

-- CreateIndex
CREATE UNIQUE INDEX "repayment_mandate_url_token_hash_key" ON "repayment_mandate"("url_token_hash");

-- CreateIndex
CREATE UNIQUE INDEX "loan_submission_application_id_key" ON "loan_submission"("application_id");

-- CreateIndex
CREATE UNIQUE INDEX "loan_account_account_token_key" ON "loan_account"("account_token");

-- CreateIndex
CREATE UNIQUE INDEX "loan_account_application_id_key" ON "loan_account"("application_id");

-- CreateIndex
CREATE UNIQUE INDEX "loan_account_disbursement_reference_key" ON "loan_account"("disbursement_reference");

-- CreateIndex
CREATE UNIQUE INDEX "loan_instalment_loan_id_sequence_key" ON "loan_instalment"("loan_id", "sequence");

-- CreateIndex
CREATE INDEX "state_transition_aggregate_entity_id_idx" ON "state_transition"("aggregate", "entity_id");

-- CreateIndex
CREATE INDEX "outbox_message_published_at_available_at_idx" ON "outbox_message"("published_at", "available_at");

-- AddForeignKey
ALTER TABLE "application" ADD CONSTRAINT "application_product_id_fkey" FOREIGN KEY ("product_id") REFERENCES "product"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "offer" ADD CONSTRAINT "offer_application_id_fkey" FOREIGN KEY ("application_id") REFERENCES "application"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "kyc" ADD CONSTRAINT "kyc_application_id_fkey" FOREIGN KEY ("application_id") REFERENCES "application"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "repayment_mandate" ADD CONSTRAINT "repayment_mandate_application_id_fkey" FOREIGN KEY ("application_id") REFERENCES "application"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "loan_submission" ADD CONSTRAINT "loan_submission_application_id_fkey" FOREIGN KEY ("application_id") REFERENCES "application"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "loan_account" ADD CONSTRAINT "loan_account_application_id_fkey" FOREIGN KEY ("application_id") REFERENCES "application"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "loan_instalment" ADD CONSTRAINT "loan_instalment_loan_id_fkey" FOREIGN KEY ("loan_id") REFERENCES "loan_account"("id") ON DELETE RESTRICT ON UPDATE CASCADE;


-- Default product: a personal loan of ₹10,000 to ₹5,00,000 in steps of ₹5,000, 6 to 36 months in steps of 6,
-- processing fee 2% (at least ₹500) plus 18% GST on the fee, offers valid for 72 hours.
INSERT INTO "product" ("id", "name", "min_amount_micros", "max_amount_micros", "amount_step_micros",
  "min_tenure_months", "max_tenure_months", "tenure_step_months", "processing_fee_rate_e5",
  "processing_fee_min_micros", "gst_rate_e5", "offer_validity_hours")
VALUES ('PERSONAL_LOAN', 'Personal loan', 10000000000, 500000000000, 5000000000, 6, 36, 6, 200000, 500000000, 1800000, 72);

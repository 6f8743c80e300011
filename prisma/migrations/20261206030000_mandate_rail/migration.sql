-- The mandate rail (NPCI e-NACH / UPI Autopay through the sponsor bank) issues the UMRN of a repayment mandate.
-- Each request to authorise a mandate is recorded before the rail is called (the intent), with the rail's
-- idempotency reference, and its answer after: AUTHORISED with the UMRN, or DECLINED with the reason. The payer
-- (UPI address, or account number and IFSC) is never in clear: it is sealed (AES-256-GCM, bound to the row), with
-- a masked form and a keyed hash (HMAC-SHA256) beside it, as for the payout account.
CREATE TYPE "MandateMethod" AS ENUM ('UPI_AUTOPAY', 'ENACH');

CREATE TYPE "MandateFrequency" AS ENUM ('MONTHLY', 'AS_PRESENTED');

CREATE TYPE "MandateAuthorisationOutcome" AS ENUM ('AUTHORISED', 'DECLINED');

CREATE TABLE "mandate_authorisation" (
    "id" TEXT NOT NULL,
    "mandate_id" TEXT NOT NULL,
    "reference" TEXT NOT NULL,
    "method" "MandateMethod" NOT NULL,
    "masked_payer" TEXT NOT NULL,
    "payer_hash" TEXT NOT NULL,
    "payer_ciphertext" TEXT NOT NULL,
    "max_amount_micros" BIGINT NOT NULL,
    "frequency" "MandateFrequency" NOT NULL,
    "first_debit_date" DATE NOT NULL,
    "last_debit_date" DATE NOT NULL,
    "rail_calls" INTEGER NOT NULL DEFAULT 0,
    "outcome" "MandateAuthorisationOutcome",
    "umrn" TEXT,
    "decline_reason" TEXT,
    "requested_at" TIMESTAMPTZ(3) NOT NULL,
    "last_called_at" TIMESTAMPTZ(3) NOT NULL,
    "answered_at" TIMESTAMPTZ(3),

    CONSTRAINT "mandate_authorisation_pkey" PRIMARY KEY ("id")
);

CREATE UNIQUE INDEX "mandate_authorisation_reference_key" ON "mandate_authorisation"("reference");

CREATE INDEX "mandate_authorisation_mandate_id_idx" ON "mandate_authorisation"("mandate_id");

-- At most one unanswered authorisation per mandate: a second is never sent while the first may still be taken.
CREATE UNIQUE INDEX "mandate_authorisation_one_outstanding" ON "mandate_authorisation"("mandate_id") WHERE "outcome" IS NULL;

ALTER TABLE "mandate_authorisation" ADD CONSTRAINT "mandate_authorisation_mandate_id_fkey" FOREIGN KEY ("mandate_id") REFERENCES "repayment_mandate"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

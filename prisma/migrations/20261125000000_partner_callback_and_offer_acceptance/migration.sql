-- Asynchronous answers to partners (a protocol whose requests are answered later by a POST to the partner):
-- the intent is recorded with the request, the answer is built once and stored sealed, and every delivery
-- attempt sends those same bytes.
CREATE TABLE "partner_callback" (
    "id" TEXT NOT NULL,
    "partner_id" TEXT NOT NULL,
    "operation" TEXT NOT NULL,
    "request_id" TEXT NOT NULL,
    "subjects" TEXT[],
    "context_ciphertext" TEXT NOT NULL,
    "body_ciphertext" TEXT,
    "built_at" TIMESTAMPTZ(3),
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "last_error" TEXT,
    "delivered_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "partner_callback_pkey" PRIMARY KEY ("id")
);

CREATE UNIQUE INDEX "partner_callback_partner_id_operation_request_id_key" ON "partner_callback"("partner_id", "operation", "request_id");
CREATE INDEX "partner_callback_partner_id_created_at_idx" ON "partner_callback"("partner_id", "created_at");

-- The borrower's choice of terms within an offer, before KYC (a surface that asks for it separately from signing).
ALTER TABLE "offer" ADD COLUMN "accepted_amount_micros" BIGINT,
ADD COLUMN "accepted_tenure_months" INTEGER,
ADD COLUMN "accepted_at" TIMESTAMPTZ(3);

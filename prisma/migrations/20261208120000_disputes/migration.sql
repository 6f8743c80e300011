-- Disputes (src/core/dispute): a partner (or the bank's staff) disputes something about one loan application or
-- its loan: a charge, a repayment not applied, a disbursement not received. Raised once per partner reference
-- (raising again with the same reference answers the same dispute), then handled by the bank's staff:
-- RAISED → ACKNOWLEDGED → RESOLVED | REJECTED, or RAISED → REJECTED. Every move is recorded in state_transition by
-- the transition writer. OCEN v3 carries disputes on the wire (`Dispute Management/`); OCEN 4.0 names them in
-- prose only; the table is protocol-neutral (src/core/dispute/dispute.ts documents how each surface maps onto it).
CREATE TYPE "DisputeState" AS ENUM ('RAISED', 'ACKNOWLEDGED', 'RESOLVED', 'REJECTED');

CREATE TYPE "DisputeCategory" AS ENUM ('DISBURSEMENT', 'REPAYMENT', 'CHARGES', 'INTEREST', 'MANDATE', 'LOAN_TERMS', 'FRAUD', 'OTHER');

CREATE TYPE "DisputeRaiser" AS ENUM ('PARTNER', 'STAFF');

CREATE TABLE "dispute" (
    "id" TEXT NOT NULL,
    "partner_id" TEXT NOT NULL,
    -- The partner's own identifier of the dispute, unique per partner (raising twice is idempotent).
    "partner_reference" TEXT NOT NULL,
    "application_id" TEXT NOT NULL,
    -- The loan account, when the application had one when the dispute was raised.
    "loan_id" TEXT,
    "raised_by" "DisputeRaiser" NOT NULL,
    "category" "DisputeCategory" NOT NULL,
    "description" TEXT NOT NULL,
    -- A link to the partner's supporting document or page (OCEN v3 `dispute.url`).
    "evidence_url" TEXT,
    "state" "DisputeState" NOT NULL,
    -- The staff's note to the partner, required once RESOLVED or REJECTED.
    "resolution" TEXT,
    "acknowledged_at" TIMESTAMPTZ(3),
    "closed_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "dispute_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "dispute_partner_reference_not_blank" CHECK (btrim("partner_reference") <> '' AND char_length("partner_reference") <= 100),
    CONSTRAINT "dispute_description_not_blank" CHECK (btrim("description") <> '' AND char_length("description") <= 2000),
    -- A closed dispute says why and when; an open one has neither.
    CONSTRAINT "dispute_closed_with_resolution" CHECK (("state" IN ('RESOLVED', 'REJECTED')) = ("resolution" IS NOT NULL AND "closed_at" IS NOT NULL)),
    CONSTRAINT "dispute_acknowledged_at_when_acknowledged" CHECK ("state" <> 'ACKNOWLEDGED' OR "acknowledged_at" IS NOT NULL)
);

CREATE UNIQUE INDEX "dispute_partner_id_partner_reference_key" ON "dispute"("partner_id", "partner_reference");

CREATE INDEX "dispute_application_id_idx" ON "dispute"("application_id");

-- The staff's queue: open disputes, oldest first.
CREATE INDEX "dispute_state_created_at_idx" ON "dispute"("state", "created_at");

ALTER TABLE "dispute" ADD CONSTRAINT "dispute_partner_id_fkey" FOREIGN KEY ("partner_id") REFERENCES "partner"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "dispute" ADD CONSTRAINT "dispute_application_id_fkey" FOREIGN KEY ("application_id") REFERENCES "application"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "dispute" ADD CONSTRAINT "dispute_loan_id_fkey" FOREIGN KEY ("loan_id") REFERENCES "loan_account"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- The Key Fact Statements shown to borrowers (RBI KFS circular, April 15, 2024): one row per statement issued for
-- an offer, amount and tenure, with its APR and every figure as shown (a JSON snapshot, amounts as decimal strings
-- of micros), so that what the borrower saw is what is checked when the borrower signs. Valid until valid_until
-- (3 working days after issue); never updated.
CREATE TABLE "key_fact_statement" (
    "id" TEXT NOT NULL,
    "application_id" TEXT NOT NULL,
    "offer_id" TEXT NOT NULL,
    "amount_micros" BIGINT NOT NULL,
    "tenure_months" INTEGER NOT NULL,
    "interest_rate_e5" INTEGER NOT NULL,
    "apr_e5" INTEGER NOT NULL,
    "figures" JSONB NOT NULL,
    "issued_at" TIMESTAMPTZ(3) NOT NULL,
    "valid_until" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "key_fact_statement_pkey" PRIMARY KEY ("id")
);

CREATE INDEX "key_fact_statement_application_id_idx" ON "key_fact_statement"("application_id");

ALTER TABLE "key_fact_statement" ADD CONSTRAINT "key_fact_statement_application_id_fkey" FOREIGN KEY ("application_id") REFERENCES "application"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

ALTER TABLE "key_fact_statement" ADD CONSTRAINT "key_fact_statement_offer_id_fkey" FOREIGN KEY ("offer_id") REFERENCES "offer"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

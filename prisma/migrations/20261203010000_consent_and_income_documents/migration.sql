-- Account-aggregator consent (the lender as FIU): the intent is recorded (REQUESTED) and committed before the
-- AA is asked; the AA's handle and approval url are recorded once it answers (PENDING); the borrower's
-- decision moves it to READY or FAILED (rejected, revoked, expired: failure_reason says which). The
-- bank-statement summary fetched once READY is kept as figures only (no account numbers). The borrower's AA
-- id (vua) is stored only AES-256-GCM sealed.
CREATE TYPE "ConsentState" AS ENUM ('REQUESTED', 'PENDING', 'READY', 'FAILED');

CREATE TABLE "aa_consent" (
    "id" TEXT NOT NULL,
    "partner_id" TEXT NOT NULL,
    "state" "ConsentState" NOT NULL,
    "fetch_type" TEXT NOT NULL,
    "vua_ciphertext" TEXT NOT NULL,
    "aa_handle" TEXT,
    "approval_url" TEXT,
    "failure_reason" TEXT,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "average_monthly_credits_micros" BIGINT,
    "bounce_count" INTEGER,
    "months_covered" INTEGER,
    "summary_fetched_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "aa_consent_pkey" PRIMARY KEY ("id")
);

CREATE UNIQUE INDEX "aa_consent_aa_handle_key" ON "aa_consent"("aa_handle");

-- The applications one consent is for (OCEN asks one consent for 1..n loan applications of one loan agent).
CREATE TABLE "aa_consent_application" (
    "consent_id" TEXT NOT NULL,
    "application_id" TEXT NOT NULL,

    CONSTRAINT "aa_consent_application_pkey" PRIMARY KEY ("consent_id", "application_id")
);

CREATE INDEX "aa_consent_application_application_id_idx" ON "aa_consent_application"("application_id");

ALTER TABLE "aa_consent_application" ADD CONSTRAINT "aa_consent_application_consent_id_fkey" FOREIGN KEY ("consent_id") REFERENCES "aa_consent"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "aa_consent_application" ADD CONSTRAINT "aa_consent_application_application_id_fkey" FOREIGN KEY ("application_id") REFERENCES "application"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- Documents sent as evidence of income (metadata only: never the document's bytes): what it is, its size and
-- SHA-256, the monthly income it states, and the verifier's verdict once asked (null: not yet).
CREATE TABLE "income_document" (
    "id" TEXT NOT NULL,
    "application_id" TEXT NOT NULL,
    "channel" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "source" TEXT NOT NULL,
    "format" TEXT NOT NULL,
    "reference" TEXT NOT NULL,
    "size_bytes" INTEGER NOT NULL,
    "sha256" TEXT NOT NULL,
    "stated_monthly_income_micros" BIGINT,
    "verified" BOOLEAN,
    "verified_monthly_income_micros" BIGINT,
    "verification_note" TEXT,
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "verified_at" TIMESTAMPTZ(3),

    CONSTRAINT "income_document_pkey" PRIMARY KEY ("id")
);

CREATE INDEX "income_document_application_id_idx" ON "income_document"("application_id");

ALTER TABLE "income_document" ADD CONSTRAINT "income_document_application_id_fkey" FOREIGN KEY ("application_id") REFERENCES "application"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

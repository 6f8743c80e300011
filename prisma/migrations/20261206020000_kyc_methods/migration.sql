-- The KYC methods of the borrower's KYC page: CKYC confirmation, Aadhaar e-KYC by OTP, offline KYC by document.

-- What a completed KYC established: the verified name (sealed `kyc-verified-name:<kyc id>`, for the mandate's
-- penny-drop name match), and the CKYC consent the borrower gave on the page (version and when).
ALTER TABLE "kyc" ADD COLUMN "verified_name_ciphertext" TEXT,
    ADD COLUMN "ckyc_consent_version" TEXT,
    ADD COLUMN "ckyc_consented_at" TIMESTAMPTZ(3);

-- An Aadhaar e-KYC OTP attempt: REQUESTED (recorded before UIDAI is asked) → OTP_SENT (its transaction id,
-- sealed `aadhaar-txn:<id>`) → VERIFIED | EXPIRED | EXHAUSTED (3 tries used) | FAILED (UIDAI refused or failed) |
-- SUPERSEDED (a newer attempt). The Aadhaar number is never stored: its last four digits only.
CREATE TABLE "kyc_aadhaar_attempt" (
    "id" TEXT NOT NULL,
    "kyc_id" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "aadhaar_last4" TEXT NOT NULL,
    "transaction_id_ciphertext" TEXT,
    "tries" INTEGER NOT NULL DEFAULT 0,
    "wrong_otps" INTEGER NOT NULL DEFAULT 0,
    "ekyc_reference" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "kyc_aadhaar_attempt_pkey" PRIMARY KEY ("id")
);

CREATE INDEX "kyc_aadhaar_attempt_kyc_id_idx" ON "kyc_aadhaar_attempt"("kyc_id");

ALTER TABLE "kyc_aadhaar_attempt" ADD CONSTRAINT "kyc_aadhaar_attempt_kyc_id_fkey" FOREIGN KEY ("kyc_id") REFERENCES "kyc"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- A document uploaded for offline KYC: metadata only (never the bytes, which the document store keeps sealed).
CREATE TABLE "kyc_document" (
    "id" TEXT NOT NULL,
    "kyc_id" TEXT NOT NULL,
    "application_id" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "reference" TEXT NOT NULL,
    "sha256" TEXT NOT NULL,
    "content_type" TEXT NOT NULL,
    "size_bytes" INTEGER NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "kyc_document_pkey" PRIMARY KEY ("id")
);

CREATE UNIQUE INDEX "kyc_document_reference_key" ON "kyc_document"("reference");
CREATE INDEX "kyc_document_kyc_id_idx" ON "kyc_document"("kyc_id");

ALTER TABLE "kyc_document" ADD CONSTRAINT "kyc_document_kyc_id_fkey" FOREIGN KEY ("kyc_id") REFERENCES "kyc"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "kyc_document" ADD CONSTRAINT "kyc_document_application_id_fkey" FOREIGN KEY ("application_id") REFERENCES "application"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

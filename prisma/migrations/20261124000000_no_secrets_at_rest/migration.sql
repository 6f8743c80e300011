-- No secrets at rest: stored answers sealed, the loan account token and the CKYC id kept only as keyed hashes
-- (HMAC-SHA256) and AES-256-GCM sealed, never in clear.
--
-- Existing rows. The hashing and data keys live outside the database, so SQL cannot hash or seal what is
-- already stored in clear. Nothing that cannot be protected is kept; the migration never fails on existing data:
-- * idempotency_record: the stored answers are deleted. A retry of a request answered before this migration is
--   then processed afresh, as it is once the 30-day retention has passed.
-- * loan_account: the new columns are nullable and stay null for existing loans; their clear token is dropped, so
--   such a loan no longer shows an accountToken to its partner. The loan and its schedule are kept.
-- * ckyc_search: the consent record is kept; a CKYC id found earlier is dropped, so that search now reads as
--   having found nothing and the partner searches again (with the user's consent) to download the record.
-- * application: a CKYC id sent with an earlier application is dropped (new ones are sealed in applicant_ciphertext).
-- This server has not run in production, so no partner holds a token these steps take away.

-- Stored answers: sealed
DELETE FROM "idempotency_record";
ALTER TABLE "idempotency_record" RENAME COLUMN "response_body" TO "response_ciphertext";

-- Loan account token: HMAC for look-ups, sealed for getStatus
DROP INDEX "loan_account_account_token_key";
ALTER TABLE "loan_account" DROP COLUMN "account_token",
ADD COLUMN "account_token_hash" TEXT,
ADD COLUMN "account_token_ciphertext" TEXT;
CREATE UNIQUE INDEX "loan_account_account_token_hash_key" ON "loan_account"("account_token_hash");

-- CKYC id of a search: HMAC for the download check, sealed for reading back
ALTER TABLE "ckyc_search" DROP COLUMN "ckyc_id",
ADD COLUMN "ckyc_id_hash" TEXT,
ADD COLUMN "ckyc_id_ciphertext" TEXT;

-- CKYC id of an application: HMAC here, the id sealed with the applicant
ALTER TABLE "application" DROP COLUMN "ckyc_id",
ADD COLUMN "ckyc_id_hash" TEXT;

-- No secrets at rest: stored answers sealed.
--
-- Existing rows. The data key lives outside the database, so SQL cannot seal the answers already stored in clear:
-- they are deleted. A retry of a request answered before this migration is then processed afresh, as it is once
-- the 30-day retention has passed. This server has not run in production.

-- Stored answers: sealed
DELETE FROM "idempotency_record";
ALTER TABLE "idempotency_record" RENAME COLUMN "response_body" TO "response_ciphertext";

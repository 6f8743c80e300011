-- Re-drive of partner callbacks whose delivery the queue gave up on (its attempts used up, or its job lost):
-- when each delivery attempt was made, how many times the reconciler staged the callback again, and when last.
ALTER TABLE "partner_callback" ADD COLUMN "last_attempt_at" TIMESTAMPTZ(3),
ADD COLUMN "redrives" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN "redriven_at" TIMESTAMPTZ(3);

-- The sweep reads the undelivered ones, oldest first.
CREATE INDEX "partner_callback_delivered_at_created_at_idx" ON "partner_callback"("delivered_at", "created_at");

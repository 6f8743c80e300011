-- The borrower's pages: each link token (auth-token JWT by its jti, KYC link, mandate link) is exchanged once
-- for a short page session. The token itself is never stored: only a keyed hash of what identifies it.
CREATE TABLE "borrower_token_use" (
    "token_hash" TEXT NOT NULL,
    "application_id" TEXT NOT NULL,
    "step" TEXT NOT NULL,
    "used_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "borrower_token_use_pkey" PRIMARY KEY ("token_hash")
);

CREATE INDEX "borrower_token_use_expires_at_idx" ON "borrower_token_use"("expires_at");

-- A page session: the HttpOnly cookie's secret (only its keyed hash here), bound to one application and one step.
CREATE TABLE "borrower_page_session" (
    "id_hash" TEXT NOT NULL,
    "application_id" TEXT NOT NULL,
    "step" TEXT NOT NULL,
    "return_url" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "borrower_page_session_pkey" PRIMARY KEY ("id_hash")
);

CREATE INDEX "borrower_page_session_application_id_idx" ON "borrower_page_session"("application_id");
CREATE INDEX "borrower_page_session_expires_at_idx" ON "borrower_page_session"("expires_at");

ALTER TABLE "borrower_page_session" ADD CONSTRAINT "borrower_page_session_application_id_fkey" FOREIGN KEY ("application_id") REFERENCES "application"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

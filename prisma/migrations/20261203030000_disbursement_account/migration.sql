-- The borrower's account a loan is paid out to (OCEN setDisbursementAccount): a bank account (IFSC, number,
-- holder) or a UPI address. Never in clear: the details are sealed (AES-256-GCM, bound to the application); only
-- a masked form (last four characters) and a keyed hash (HMAC-SHA256, to tell a change of account) are kept
-- beside them, as for the account token and the CKYC id (20261124000000_no_secrets_at_rest). One per application;
-- setting it again replaces it, until the disbursement is requested.
CREATE TYPE "DisbursementAccountType" AS ENUM ('ACCOUNT', 'VPA');

CREATE TABLE "disbursement_account" (
    "id" TEXT NOT NULL,
    "application_id" TEXT NOT NULL,
    "account_type" "DisbursementAccountType" NOT NULL,
    "masked_account" TEXT NOT NULL,
    "account_hash" TEXT NOT NULL,
    "details_ciphertext" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "disbursement_account_pkey" PRIMARY KEY ("id")
);

CREATE UNIQUE INDEX "disbursement_account_application_id_key" ON "disbursement_account"("application_id");

ALTER TABLE "disbursement_account" ADD CONSTRAINT "disbursement_account_application_id_fkey" FOREIGN KEY ("application_id") REFERENCES "application"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- The partner collects the repayments itself (OCEN hasCollectionSupport, accepted as useCollectionSupport).
ALTER TABLE "repayment_mandate" ADD COLUMN "partner_collects" BOOLEAN NOT NULL DEFAULT false;

-- When the payout was reported to the network's analytics (once per loan, whatever asks again).
ALTER TABLE "disbursement" ADD COLUMN "reported_at" TIMESTAMPTZ(3);

-- An application's phone, sealed (`application-phone:<application>`), so that a later step reaches the borrower
-- without the partner sending the phone again (OCEN's loan-acceptance OTP: triggerLoanAcceptanceRequest names
-- only the loan application). Null for applications recorded before this column.
ALTER TABLE "application" ADD COLUMN "phone_ciphertext" TEXT;

-- A challenge for one application's step (`subject`: the application id) can be used only by that application's
-- step, and tells whether the step's OTP is outstanding. `app_token` is the loan agent's app token (OCEN
-- credBlock.data.appToken, the Android SMS Retriever hash) appended to the SMS; it opens nothing.
ALTER TABLE "otp_challenge" ADD COLUMN "subject" TEXT;
ALTER TABLE "otp_challenge" ADD COLUMN "app_token" TEXT;
CREATE INDEX "otp_challenge_subject_idx" ON "otp_challenge"("subject");

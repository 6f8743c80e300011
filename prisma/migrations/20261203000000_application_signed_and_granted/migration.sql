-- A surface that signs the loan agreement before the repayment set-up and the disbursement account (OCEN 4.0)
-- holds the application SIGNED (the borrower accepted the terms by OTP) and then GRANTED (the loan id issued),
-- before SUBMITTED (the disbursement requested). The Google Pay surface goes from IN_PROGRESS to SUBMITTED.
ALTER TYPE "ApplicationState" ADD VALUE 'SIGNED' AFTER 'IN_PROGRESS';
ALTER TYPE "ApplicationState" ADD VALUE 'GRANTED' AFTER 'SIGNED';

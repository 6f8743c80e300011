-- Products as versioned data (src/core/product): every term of a product lives in an immutable, numbered version;
-- `product.current_version` names the one new offers are made under. An offer pins the version it was made under
-- (`offer.product_version`), and the loan opened from it pins the product and that version
-- (`loan_account.product_id`, `loan_account.product_version`), so a new version never changes the terms of an offer
-- already made or a loan already running: servicing reads a loan's charges, grace days, notice and retry days from
-- its pinned version (join loan_account → product_version on (product_id, product_version)).
--
-- The database refuses what the code must never do:
--   - an UPDATE or DELETE of a version, or a TRUNCATE (SQLSTATE CP012): terms change by adding a version;
--   - inconsistent terms (CHECKs below): a minimum above its maximum, a processing fee minimum above its maximum,
--     a foreclosure charge on a FLOATING-rate product (RBI: none on floating-rate loans to individuals), a
--     pre-debit notice of less than a day, an empty risk-band list.
--
-- Expand/contract: the term columns of `product` are kept as they were (version 1's terms, no longer read or
-- written by this release) for a process of the previous release during a rolling deploy; a later release drops them.

CREATE TYPE "ProductRateType" AS ENUM ('FIXED', 'FLOATING');

-- One version of a product's terms. Amounts in micros (rupees × 10^6), rates in E5 (percent × 10^5).
CREATE TABLE "product_version" (
    "product_id" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "name" TEXT NOT NULL,
    "min_amount_micros" BIGINT NOT NULL,
    "max_amount_micros" BIGINT NOT NULL,
    "amount_step_micros" BIGINT NOT NULL,
    "min_tenure_months" INTEGER NOT NULL,
    "max_tenure_months" INTEGER NOT NULL,
    "tenure_step_months" INTEGER NOT NULL,
    -- Interest rate by risk band: [{"band": "A", "min_monthly_income_micros": "100000000000", "interest_rate_e5": 1200000}, ...],
    -- highest income first; a borrower falls in the first band whose minimum monthly income is met (the last
    -- band's minimum is 0). Micros as decimal strings (a JSON number is a float).
    "risk_bands" JSONB NOT NULL,
    "rate_type" "ProductRateType" NOT NULL,
    "processing_fee_rate_e5" INTEGER NOT NULL,
    "processing_fee_min_micros" BIGINT NOT NULL,
    "processing_fee_max_micros" BIGINT NOT NULL,
    "gst_rate_e5" INTEGER NOT NULL,
    -- Per bounced debit, GST added when levied.
    "bounce_charge_micros" BIGINT NOT NULL,
    -- Flat, once per overdue instalment whose DPD exceeds grace_days; no GST, never compounded or capitalised.
    "penal_charge_micros" BIGINT NOT NULL,
    -- Of the principal outstanding on foreclosure, GST added; 0 when rate_type is FLOATING.
    "foreclosure_charge_rate_e5" INTEGER NOT NULL,
    "cooling_off_days" INTEGER NOT NULL,
    "grace_days" INTEGER NOT NULL,
    "pre_debit_notice_days" INTEGER NOT NULL,
    -- Days after a bounce at which the debit is presented again, one entry per retry ({7}: one retry a week later).
    -- Nullable in the catalogue only as Prisma creates scalar lists; the CHECK requires a value.
    "collection_retry_days" INTEGER[],
    "offer_validity_hours" INTEGER NOT NULL,
    -- When the version became the product's current one.
    "effective_from" TIMESTAMPTZ(3) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "product_version_pkey" PRIMARY KEY ("product_id", "version"),
    CONSTRAINT "product_version_version_positive" CHECK ("version" >= 1),
    CONSTRAINT "product_version_amounts" CHECK ("min_amount_micros" > 0 AND "min_amount_micros" <= "max_amount_micros" AND "amount_step_micros" > 0),
    CONSTRAINT "product_version_tenures" CHECK ("min_tenure_months" > 0 AND "min_tenure_months" <= "max_tenure_months" AND "tenure_step_months" > 0),
    CONSTRAINT "product_version_risk_bands" CHECK (jsonb_typeof("risk_bands") = 'array' AND jsonb_array_length("risk_bands") > 0),
    CONSTRAINT "product_version_processing_fee" CHECK ("processing_fee_rate_e5" >= 0 AND "processing_fee_min_micros" >= 0 AND "processing_fee_min_micros" <= "processing_fee_max_micros"),
    CONSTRAINT "product_version_charges" CHECK ("gst_rate_e5" >= 0 AND "bounce_charge_micros" >= 0 AND "penal_charge_micros" >= 0 AND "foreclosure_charge_rate_e5" >= 0),
    CONSTRAINT "product_version_no_floating_foreclosure" CHECK ("rate_type" = 'FIXED' OR "foreclosure_charge_rate_e5" = 0),
    CONSTRAINT "product_version_days" CHECK ("cooling_off_days" >= 0 AND "grace_days" >= 0 AND "pre_debit_notice_days" >= 1 AND "offer_validity_hours" > 0),
    CONSTRAINT "product_version_retry_days" CHECK ("collection_retry_days" IS NOT NULL AND array_position("collection_retry_days", NULL) IS NULL AND 0 < ALL ("collection_retry_days"))
);
ALTER TABLE "product_version" ADD CONSTRAINT "product_version_product_id_fkey" FOREIGN KEY ("product_id") REFERENCES "product"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- Versions are written once: UPDATE, DELETE and TRUNCATE are refused (CP012).
CREATE FUNCTION "product_version_immutable"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION USING ERRCODE = 'CP012', MESSAGE = format('product_version is immutable: %s refused; add a new version instead', TG_OP);
END;
$$;
CREATE TRIGGER "product_version_immutable" BEFORE UPDATE OR DELETE ON "product_version" FOR EACH ROW EXECUTE FUNCTION "product_version_immutable"();
CREATE TRIGGER "product_version_no_truncate" BEFORE TRUNCATE ON "product_version" FOR EACH STATEMENT EXECUTE FUNCTION "product_version_immutable"();

-- Version 1 of every product: its columns as they are, plus these documented defaults:
--   processing fee maximum: ₹10,000, raised to the fee at the product's maximum amount (and to its minimum) when
--     that is more, so that version 1 never lowers a fee already quoted (the default product: 2% of ₹5,00,000 = ₹10,000);
--   bounce charge ₹500 (+ GST); penal charge ₹500 per overdue instalment; foreclosure 2% of principal outstanding
--     (+ GST), rate type FIXED; cooling-off 3 days (the KFS_COOLING_OFF_DAYS default until now); grace 3 days;
--     pre-debit notice 2 days; one retry 7 days after a bounce;
--   risk bands: the underwriting policy's until now: A (monthly income ≥ ₹1,00,000) 12%, B (≥ ₹40,000) 16%, C 22%.
INSERT INTO "product_version" ("product_id", "version", "name", "min_amount_micros", "max_amount_micros", "amount_step_micros",
  "min_tenure_months", "max_tenure_months", "tenure_step_months", "risk_bands", "rate_type",
  "processing_fee_rate_e5", "processing_fee_min_micros", "processing_fee_max_micros", "gst_rate_e5",
  "bounce_charge_micros", "penal_charge_micros", "foreclosure_charge_rate_e5",
  "cooling_off_days", "grace_days", "pre_debit_notice_days", "collection_retry_days", "offer_validity_hours", "effective_from")
SELECT p."id", 1, p."name", p."min_amount_micros", p."max_amount_micros", p."amount_step_micros",
  p."min_tenure_months", p."max_tenure_months", p."tenure_step_months",
  '[{"band": "A", "min_monthly_income_micros": "100000000000", "interest_rate_e5": 1200000},
    {"band": "B", "min_monthly_income_micros": "40000000000", "interest_rate_e5": 1600000},
    {"band": "C", "min_monthly_income_micros": "0", "interest_rate_e5": 2200000}]'::jsonb,
  'FIXED',
  p."processing_fee_rate_e5", p."processing_fee_min_micros",
  GREATEST(10000000000, p."processing_fee_min_micros", (p."max_amount_micros" * p."processing_fee_rate_e5" + 9999999) / 10000000),
  p."gst_rate_e5",
  500000000, 500000000, 200000,
  3, 3, 2, ARRAY[7], p."offer_validity_hours", p."created_at"
FROM "product" p;

-- The version new offers are made under. The foreign key is checked at commit, so a product and its first
-- version may be written in either order in one transaction.
ALTER TABLE "product" ADD COLUMN "current_version" INTEGER;
UPDATE "product" SET "current_version" = 1;
ALTER TABLE "product" ALTER COLUMN "current_version" SET NOT NULL;
ALTER TABLE "product" ADD CONSTRAINT "product_current_version_fkey" FOREIGN KEY ("id", "current_version")
  REFERENCES "product_version"("product_id", "version") ON DELETE RESTRICT ON UPDATE RESTRICT DEFERRABLE INITIALLY DEFERRED;

-- Offers: the version they were made under (existing ones: version 1, whose terms they were copied from) and the
-- processing fee maximum, copied with the rest of the fee terms.
ALTER TABLE "offer" ADD COLUMN "product_version" INTEGER;
ALTER TABLE "offer" ADD COLUMN "processing_fee_max_micros" BIGINT;
UPDATE "offer" o SET "product_version" = 1, "processing_fee_max_micros" = v."processing_fee_max_micros"
  FROM "product_version" v WHERE v."product_id" = o."product_id" AND v."version" = 1;
ALTER TABLE "offer" ALTER COLUMN "product_version" SET NOT NULL;
ALTER TABLE "offer" ALTER COLUMN "processing_fee_max_micros" SET NOT NULL;
ALTER TABLE "offer" ADD CONSTRAINT "offer_product_version_fkey" FOREIGN KEY ("product_id", "product_version")
  REFERENCES "product_version"("product_id", "version") ON DELETE RESTRICT ON UPDATE RESTRICT;

-- Loans: the product and version their terms come from (existing ones: the application's product, version 1).
ALTER TABLE "loan_account" ADD COLUMN "product_id" TEXT;
ALTER TABLE "loan_account" ADD COLUMN "product_version" INTEGER;
UPDATE "loan_account" l SET "product_id" = a."product_id", "product_version" = 1 FROM "application" a WHERE a."id" = l."application_id";

-- A loan account written without them (an older process during a rolling deploy, a fixture) takes its
-- application's product and the version of the application's current offer (else the product's current version).
CREATE FUNCTION "loan_account_pin_product"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW."product_id" IS NULL OR NEW."product_version" IS NULL THEN
    SELECT COALESCE(NEW."product_id", a."product_id"), COALESCE(NEW."product_version", o."product_version", p."current_version")
      INTO NEW."product_id", NEW."product_version"
      FROM "application" a
      JOIN "product" p ON p."id" = a."product_id"
      LEFT JOIN "offer" o ON o."id" = a."current_offer_id"
      WHERE a."id" = NEW."application_id";
  END IF;
  RETURN NEW;
END;
$$;
CREATE TRIGGER "loan_account_pin_product" BEFORE INSERT ON "loan_account" FOR EACH ROW EXECUTE FUNCTION "loan_account_pin_product"();

ALTER TABLE "loan_account" ALTER COLUMN "product_id" SET NOT NULL;
ALTER TABLE "loan_account" ALTER COLUMN "product_version" SET NOT NULL;
ALTER TABLE "loan_account" ADD CONSTRAINT "loan_account_product_version_fkey" FOREIGN KEY ("product_id", "product_version")
  REFERENCES "product_version"("product_id", "version") ON DELETE RESTRICT ON UPDATE RESTRICT;
CREATE INDEX "loan_account_product_id_product_version_idx" ON "loan_account"("product_id", "product_version");

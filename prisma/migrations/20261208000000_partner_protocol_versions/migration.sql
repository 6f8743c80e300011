-- A partner's protocol names its version: OCEN 4.0 loan agents (registry, detached JWS) and OCEN v3 loan agents
-- (Juspay's LSP-Lender API, onboarded bilaterally: base URL and RS512 public keys on the partner row).
-- Every existing OCEN partner spoke 4.0, so the value is renamed in place (rows keep their value).
ALTER TYPE "PartnerProtocol" RENAME VALUE 'OCEN' TO 'OCEN_4';
ALTER TYPE "PartnerProtocol" ADD VALUE 'OCEN_3';

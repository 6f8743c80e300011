import type { NewPartner } from './partner';

/** The partner a sandbox request without X-Partner-Id is attributed to. */
export const SANDBOX_GPAY_PARTNER_ID = 'gpay';

/** The sandbox's built-in OCEN loan agent: an unsigned OCEN request is this agent while no `OCEN_*` setting is present. */
export const SANDBOX_OCEN_AGENT_ID = 'ocen-test-agent';

/** What the sandbox seeds on start (each only if absent): one Google Pay-style aggregator and one OCEN test loan agent. */
export const SANDBOX_PARTNERS: NewPartner[] = [
  {
    id: SANDBOX_GPAY_PARTNER_ID,
    displayName: 'Google Pay (sandbox)',
    protocol: 'GPAY',
    smsTemplate: '{code} is OTP for your Credit application through Google Pay app. OTPs are SECRET. DO NOT disclose it to anyone. Bank NEVER asks for OTP.',
  },
  {
    id: SANDBOX_OCEN_AGENT_ID,
    displayName: 'OCEN test loan agent (sandbox)',
    protocol: 'OCEN_4',
    callbackBaseUrl: 'http://127.0.0.1:8080/sandbox/ocen/loan-agent',
  },
];

import { AdapterContext, AdapterModule, AdapterSet } from '../ports';
import { SandboxBureau, SandboxCkycRegistry, SandboxCollector, SandboxRail, SandboxSmsOutbox } from './sandbox-adapters';
import { SandboxAccountAggregator, SandboxDocumentVerifier } from './sandbox-account-aggregator';
import { SandboxMandateRail } from './sandbox-mandate-rail';
import { SandboxAadhaarEkyc } from './sandbox-aadhaar-ekyc';

/**
 * `credit-partner/sandbox`: the reference implementation of every port (README "Sandbox" describes how each
 * answers), loaded like any other adapter module. The rail, SMS outbox, account aggregator and mandate rail keep
 * their state in Redis under the deployment's prefix, so every process sees the same; the sandbox routes reach
 * them (`Services.sandbox`). Refused in production.
 */
export function sandboxAdapterModule(options: { railDelayMs: number }): AdapterModule {
  return {
    name: 'credit-partner/sandbox',
    createAdapters(context: AdapterContext): AdapterSet {
      const { redis, redisKeyPrefix: prefix, publicBaseUrl, records } = context;
      return {
        bureau: new SandboxBureau(),
        ckyc: new SandboxCkycRegistry(),
        aadhaar: new SandboxAadhaarEkyc((reference) => records.nameBehindAadhaarReference(reference)),
        rail: new SandboxRail(redis, prefix, options.railDelayMs),
        mandateRail: new SandboxMandateRail(
          redis,
          prefix,
          (reference) => records.nameBehindMandateReference(reference),
          (umrn) => records.panDigitsBehindUmrn(umrn),
        ),
        collector: new SandboxCollector(publicBaseUrl, context.lenderName),
        accountAggregator: new SandboxAccountAggregator(redis, prefix, publicBaseUrl),
        documentVerifier: new SandboxDocumentVerifier(),
        sms: new SandboxSmsOutbox(redis, prefix),
      };
    },
  };
}

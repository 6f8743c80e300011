import type { Config } from '../../lib/config';
import { AdapterContext, AdapterModule, AdapterSet } from '../ports';
import { HttpSmsSender } from '../sms/http-sms-sender';
import { HttpCreditBureau } from './http-bureau';
import { HttpDisbursementRail } from './http-rail';
import { HttpMandateRail } from './http-mandate-rail';
import { SignedJsonClient } from './signed-json-client';

/**
 * `credit-partner/http`: the generic HTTP adapters, configured by the environment only (docs/http-adapters.md).
 * It supplies each port whose URL is set: the credit bureau (`BUREAU_HTTP_URL`), the disbursement rail
 * (`RAIL_HTTP_URL`), the mandate rail (`MANDATE_RAIL_HTTP_URL`), all JSON signed with HMAC-SHA256; and the SMS
 * gateway (`SMS_GATEWAY_URL`, bearer token).
 */
export function httpAdapterModule(config: Pick<Config, 'httpAdapters' | 'sms'>): AdapterModule {
  return {
    name: 'credit-partner/http',
    createAdapters(context: AdapterContext): AdapterSet {
      const { bureau, rail, mandateRail } = config.httpAdapters;
      const client = (title: string, service: NonNullable<typeof bureau>) =>
        new SignedJsonClient({ title, url: service.url, secret: service.secret, timeoutMs: service.timeoutMs, fetch: context.fetch });
      return {
        ...(bureau ? { bureau: new HttpCreditBureau(client(HttpCreditBureau.TITLE, bureau)) } : {}),
        ...(rail ? { rail: new HttpDisbursementRail(client(HttpDisbursementRail.TITLE, rail)) } : {}),
        ...(mandateRail ? { mandateRail: new HttpMandateRail(client(HttpMandateRail.TITLE, mandateRail)) } : {}),
        ...(config.sms.gatewayUrl ? { sms: new HttpSmsSender(config.sms.gatewayUrl, config.sms.gatewayToken, context.fetch) } : {}),
      };
    },
  };
}

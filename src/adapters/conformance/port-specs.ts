import type { DebitAnswer, DebitOrder, MandateOrder, PortName, RailAnswer, TransferOrder } from '../ports';
import { PortSpec, Skip, expectThat, same, show } from './checks';

/**
 * The behaviours the core relies on, port by port, as the conformance kit checks them against an adapter's own
 * test endpoint. Every reference is the kit's (`KIT-…`), fresh for each run; the inputs are well formed and
 * harmless (a ₹1,000 transfer to a test account, a PAN of persona-free digits, an SMS to 910000000000).
 */
export const PORT_SPECS: { [P in PortName]: () => PortSpec<P> } = {
  bureau: () => {
    const inquiry = (reference: string) => ({ reference, pan: 'KITPA1234K', dateOfBirth: '1990-01-01' });
    let first: unknown;
    let reference = '';
    return {
      probeMethod: 'check',
      probe: (bureau, ref) => bureau.check(inquiry(ref)),
      behaviours: [
        {
          name: 'answers a verdict: CLEAN, ADVERSE_RECORD or THIN_FILE',
          run: async (bureau, { call, ref }) => {
            reference = ref('inquiry');
            first = await call('check', () => bureau.check(inquiry(reference)));
            expectThat(first === 'CLEAN' || first === 'ADVERSE_RECORD' || first === 'THIN_FILE', () => `answered ${show(first)}`);
            return String(first);
          },
        },
        {
          name: 'the same reference asked again gets the same verdict (one inquiry)',
          run: async (bureau, { call }) => {
            const again = await call('check', () => bureau.check(inquiry(reference)));
            expectThat(same(first, again), () => `first ${show(first)}, then ${show(again)} for the same reference`);
            return `${show(again)} again`;
          },
        },
      ],
    };
  },

  rail: () => {
    const order = (reference: string): TransferOrder => ({
      reference,
      amountMicros: 1_000_000_000n,
      beneficiaryPanLast4: '1234',
      beneficiary: { type: 'ACCOUNT', ifsc: 'KITB0000001', accountNumber: '000111222333', holderName: 'KIT BENEFICIARY' },
    });
    const wellFormed = (answer: unknown): answer is RailAnswer => {
      const a = answer as { status?: unknown; utr?: unknown; reason?: unknown } | null;
      return (a?.status === 'SUCCEEDED' && typeof a.utr === 'string' && a.utr.length > 0) || (a?.status === 'FAILED' && typeof a.reason === 'string');
    };
    let reference = '';
    let first: RailAnswer | undefined;
    return {
      probeMethod: 'transfer',
      probe: (rail, ref) => rail.transfer(order(ref)),
      behaviours: [
        {
          name: 'the status of a reference never sent is null (never taken)',
          run: async (rail, { call, ref }) => {
            const answer = await call('status', () => rail.status(ref('never-sent')));
            expectThat(answer === null, () => `answered ${show(answer)} for a reference it was never sent: the core would take it for a payout`);
            return 'null';
          },
        },
        {
          name: 'a transfer is answered SUCCEEDED with a UTR, or FAILED with a reason',
          run: async (rail, { call, ref }) => {
            reference = ref('transfer');
            const answer = await call('transfer', () => rail.transfer(order(reference)));
            expectThat(wellFormed(answer), () => `answered ${show(answer)}`);
            first = answer;
            return show(answer);
          },
        },
        {
          name: 'the same reference transferred again gets the first answer (it pays once)',
          run: async (rail, { call }) => {
            if (!first) throw new Skip('no first answer to compare with');
            const again = await call('transfer', () => rail.transfer(order(reference)));
            expectThat(same(first, again), () => `first ${show(first)}, then ${show(again)}: not idempotent; a rail must take one transfer per reference (the Idempotency-Key) and answer it again, never pay twice`);
            return `${show(again)} again`;
          },
        },
        {
          name: 'the status of a transferred reference is its answer',
          run: async (rail, { call }) => {
            if (!first) throw new Skip('no transfer to look up');
            const status = await call('status', () => rail.status(reference));
            expectThat(same(first, status), () => `status answered ${show(status)}, the transfer ${show(first)}`);
            return show(status);
          },
        },
        {
          name: 'after a lost answer, the status look-up finds the transfer (so it is never sent twice)',
          run: async (rail, { call, callLosingAnswer, ref }) => {
            const lost = ref('lost-answer');
            const how = await callLosingAnswer('transfer', () => rail.transfer(order(lost)));
            const status = await call('status', () => rail.status(lost));
            expectThat(status !== null, () => 'status answered null for a transfer the rail took: after a lost answer the core would send it again and pay twice');
            expectThat(wellFormed(status), () => `status answered ${show(status)}`);
            const retried = await call('transfer', () => rail.transfer(order(lost)));
            expectThat(same(status, retried), () => `status answered ${show(status)}, a retried transfer ${show(retried)}`);
            return `${how}; status then ${show(status)}`;
          },
        },
      ],
    };
  },

  sms: () => ({
    probeMethod: 'send',
    probe: (sms, ref) => sms.send({ to: '910000000000', text: 'credit-partner adapter conformance kit: test message', messageId: ref }),
    behaviours: [
      {
        name: 'a message, and its resend with the same messageId, are accepted',
        run: async (sms, { call, ref }) => {
          const message = { to: '910000000000', text: 'credit-partner adapter conformance kit: test message', messageId: ref('message') };
          const first = await call('send', () => sms.send(message));
          const again = await call('send', () => sms.send(message));
          expectThat(first === undefined && again === undefined, () => `answered ${show(first)} and ${show(again)} (send answers nothing)`);
          return 'both accepted (a gateway drops the duplicate by messageId)';
        },
      },
    ],
  }),

  ckyc: () => {
    const query = { pan: 'KITPA1234K', dateOfBirth: '1990-01-01' };
    let kin: string | null = null;
    return {
      probeMethod: 'search',
      probe: (ckyc) => ckyc.search(query),
      behaviours: [
        {
          name: 'a search answers a 14-digit KIN or null, the same each time',
          run: async (ckyc, { call }) => {
            const first = await call('search', () => ckyc.search(query));
            expectThat(first === null || (typeof first === 'string' && /^\d{14}$/.test(first)), () => `answered ${show(first)}`);
            const again = await call('search', () => ckyc.search(query));
            expectThat(first === again, () => `first ${show(first)}, then ${show(again)}`);
            kin = first;
            return first === null ? 'null (no record)' : 'a KIN, twice';
          },
        },
        {
          name: 'a download answers the record (with a name) or null',
          run: async (ckyc, { call }) => {
            if (kin === null) throw new Skip('the search found no record to download');
            const found = kin;
            const record = await call('download', () => ckyc.download(found));
            expectThat(record === null || typeof record?.name?.fullName === 'string', () => `answered a record without name.fullName: ${show(record === null ? null : Object.keys(record))}`);
            return record === null ? 'null' : 'a record';
          },
        },
      ],
    };
  },

  aadhaar: () => ({
    probeMethod: 'requestOtp',
    probe: (aadhaar, ref) => aadhaar.requestOtp({ aadhaarNumber: '234123412346', reference: ref }),
    behaviours: [
      {
        name: 'an OTP request answers a transaction id; a wrong OTP is an answer, not an error',
        run: async (aadhaar, { call, ref }) => {
          const reference = ref('attempt');
          const requested = await call('requestOtp', () => aadhaar.requestOtp({ aadhaarNumber: '234123412346', reference }));
          expectThat(typeof requested?.transactionId === 'string' && requested.transactionId.length > 0, () => `answered ${show(requested)}`);
          const verified = await call('verifyOtp', () => aadhaar.verifyOtp({ transactionId: requested.transactionId, otp: '987654', reference: `${reference}-1` }));
          expectThat(['VERIFIED', 'WRONG_OTP', 'EXPIRED'].includes(String(verified?.outcome)), () => `verifyOtp answered ${show(verified)}`);
          return `a transaction id; verifyOtp ${verified.outcome}`;
        },
      },
    ],
  }),

  accountAggregator: () => {
    const request = (reference: string) => ({ reference, vua: '9000000000@kit', fetchType: 'ONETIME' as const, purpose: 'credit-partner adapter conformance kit' });
    return {
      probeMethod: 'requestConsent',
      probe: (aa, ref) => aa.requestConsent(request(ref)),
      behaviours: [
        {
          name: 'the same consent request twice gets the same handle; its status is one of the AA\'s',
          run: async (aa, { call, ref }) => {
            const reference = ref('consent');
            const first = await call('requestConsent', () => aa.requestConsent(request(reference)));
            expectThat(typeof first?.handle === 'string' && typeof first.url === 'string', () => `answered ${show(first)}`);
            const again = await call('requestConsent', () => aa.requestConsent(request(reference)));
            expectThat(same(first.handle, again?.handle), () => `first handle ${show(first.handle)}, then ${show(again?.handle)}: a request whose answer was lost would open a second consent`);
            const status = await call('consentStatus', () => aa.consentStatus(first.handle));
            expectThat(['PENDING', 'ACTIVE', 'PAUSED', 'REJECTED', 'REVOKED', 'EXPIRED'].includes(String(status)), () => `consentStatus answered ${show(status)}`);
            return `one handle, ${status}`;
          },
        },
      ],
    };
  },

  documentVerifier: () => {
    const document = (reference: string) => ({ id: reference, kind: 'SALARY_SLIP' as const, format: 'PDF', reference, sha256: '0'.repeat(64), statedMonthlyIncomeMicros: 50_000_000_000n });
    return {
      probeMethod: 'verify',
      probe: (verifier, ref) => verifier.verify(document(ref)),
      behaviours: [
        {
          name: 'the same document twice gets the same verdict',
          run: async (verifier, { call, ref }) => {
            const doc = document(ref('document'));
            const first = await call('verify', () => verifier.verify(doc));
            expectThat(first?.verified === true ? typeof first.monthlyIncomeMicros === 'bigint' : first?.verified === false && typeof first.reason === 'string', () => `answered ${show(first)}`);
            const again = await call('verify', () => verifier.verify(doc));
            expectThat(same(first, again), () => `first ${show(first)}, then ${show(again)}`);
            return show(first);
          },
        },
      ],
    };
  },

  mandateRail: () => {
    const today = new Date();
    const day = (months: number) => new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth() + months, 5)).toISOString().slice(0, 10);
    const order = (reference: string): MandateOrder => ({
      method: 'UPI_AUTOPAY', vpa: 'kit.payer@upi', reference, maxAmountMicros: 10_000_000_000n, frequency: 'MONTHLY', firstDebitDate: day(1), lastDebitDate: day(12),
    });
    const check = (reference: string) => ({ accountNumber: '000111222333', ifsc: 'KITB0000001', reference });
    const debit = (reference: string, mandate: string): DebitOrder => ({ reference, umrn: mandate, amountMicros: 1_000_000_000n, debitDate: day(1), narration: 'KIT DEBIT' });
    const wellFormedDebit = (answer: unknown): answer is DebitAnswer => {
      const a = answer as { outcome?: unknown; railReference?: unknown; reason?: unknown; code?: unknown } | null;
      return (a?.outcome === 'DEBITED' && typeof a.railReference === 'string' && a.railReference.length > 0)
        || (a?.outcome === 'BOUNCED' && typeof a.reason === 'string' && typeof a.code === 'string' && a.code.length > 0);
    };
    let umrn: string | undefined;
    return {
      probeMethod: 'verifyAccount',
      probe: (rail, ref) => rail.verifyAccount(check(ref)),
      behaviours: [
        {
          name: 'the same penny-drop reference twice gets the same answer (one drop)',
          run: async (rail, { call, ref }) => {
            const reference = ref('penny-drop');
            const first = await call('verifyAccount', () => rail.verifyAccount(check(reference)));
            expectThat(first?.outcome === 'NOT_FOUND' || (first?.outcome === 'FOUND' && typeof first.nameAtBank === 'string'), () => `answered ${show(first)}`);
            const again = await call('verifyAccount', () => rail.verifyAccount(check(reference)));
            expectThat(same(first, again), () => `first ${show(first)}, then ${show(again)}`);
            return first.outcome;
          },
        },
        {
          name: 'an authorisation is idempotent by reference, and its status answers it (UNKNOWN before)',
          run: async (rail, { call, ref }) => {
            const reference = ref('mandate');
            const before = await call('status', () => rail.status(reference));
            expectThat(same(before, { outcome: 'UNKNOWN' }), () => `status before any authorisation answered ${show(before)}`);
            const first = await call('authorise', () => rail.authorise(order(reference)));
            expectThat((first?.outcome === 'AUTHORISED' && typeof first.umrn === 'string') || (first?.outcome === 'DECLINED' && typeof first.reason === 'string'), () => `answered ${show(first)}`);
            const again = await call('authorise', () => rail.authorise(order(reference)));
            expectThat(same(first, again), () => `first ${show(first)}, then ${show(again)}: a mandate must be registered once per reference`);
            const status = await call('status', () => rail.status(reference));
            expectThat(same(first, status), () => `status answered ${show(status)}, the authorisation ${show(first)}`);
            if (first.outcome === 'AUTHORISED') umrn = first.umrn;
            return show(first);
          },
        },
        {
          name: 'the debit status of a reference never presented is UNKNOWN (never taken)',
          run: async (rail, { call, ref }) => {
            const answer = await call('debitStatus', () => rail.debitStatus(ref('never-debited')));
            expectThat(same(answer, { outcome: 'UNKNOWN' }), () => `answered ${show(answer)} for a debit it was never presented: the core would take it for a collection`);
            return 'UNKNOWN';
          },
        },
        {
          name: 'a debit under the mandate is DEBITED or BOUNCED, idempotent by reference, and its debit status answers it',
          run: async (rail, { call, ref }) => {
            if (!umrn) throw new Skip('no mandate was authorised to debit under');
            const mandate = umrn;
            const reference = ref('debit');
            const first = await call('debit', () => rail.debit(debit(reference, mandate)));
            expectThat(wellFormedDebit(first), () => `answered ${show(first)}`);
            const again = await call('debit', () => rail.debit(debit(reference, mandate)));
            expectThat(same(first, again), () => `first ${show(first)}, then ${show(again)}: a rail must take one debit per reference and answer it again, never debit twice`);
            const status = await call('debitStatus', () => rail.debitStatus(reference));
            expectThat(same(first, status), () => `debitStatus answered ${show(status)}, the debit ${show(first)}`);
            return show(first);
          },
        },
        {
          name: 'after a lost debit answer, the debit status finds the debit (so it is never presented twice)',
          run: async (rail, { call, callLosingAnswer, ref }) => {
            if (!umrn) throw new Skip('no mandate was authorised to debit under');
            const mandate = umrn;
            const lost = ref('lost-debit');
            const how = await callLosingAnswer('debit', () => rail.debit(debit(lost, mandate)));
            const status = await call('debitStatus', () => rail.debitStatus(lost));
            expectThat(wellFormedDebit(status), () => `debitStatus answered ${show(status)} for a debit the rail took: after a lost answer the core would present it again`);
            const retried = await call('debit', () => rail.debit(debit(lost, mandate)));
            expectThat(same(status, retried), () => `debitStatus answered ${show(status)}, a retried debit ${show(retried)}`);
            return `${how}; debitStatus then ${show(status)}`;
          },
        },
        {
          name: 'a cancellation is CANCELLED (or NOT_FOUND), the same when asked again',
          run: async (rail, { call, ref }) => {
            if (!umrn) throw new Skip('no mandate was authorised to cancel');
            const request = { reference: ref('cancel'), umrn };
            const first = await call('cancel', () => rail.cancel(request));
            expectThat(first?.outcome === 'CANCELLED' || first?.outcome === 'NOT_FOUND', () => `answered ${show(first)}`);
            const again = await call('cancel', () => rail.cancel(request));
            expectThat(same(first, again), () => `first ${show(first)}, then ${show(again)}: cancel must be idempotent`);
            return `${first.outcome}, twice`;
          },
        },
      ],
    };
  },

  collector: () => ({
    local: true,
    behaviours: [
      {
        name: 'names an absolute payment page per reference, and the collection account',
        run: async (collector, { call, ref }) => {
          const url = await call('paymentUrl', () => collector.paymentUrl(ref('repayment')));
          expectThat(typeof url === 'string' && /^https?:\/\//.test(url), () => `paymentUrl answered ${show(url)}`);
          const account = await call('account', () => collector.account());
          expectThat(/^[A-Z]{4}0[A-Z0-9]{6}$/.test(String(account?.ifsc)) && typeof account.maskedAccountNumber === 'string' && typeof account.holderName === 'string', () => `account answered ${show(account)}`);
          return `${url}; ${account.ifsc}`;
        },
      },
    ],
  }),

  documentStore: () => ({
    probeMethod: 'put',
    probe: (store, ref) => store.put({ ownerId: ref, kind: 'KIT', bytes: Buffer.from('%PDF-1.4 kit'), contentType: 'application/pdf' }),
    behaviours: [
      {
        name: 'a document put is got back, byte for byte; an unknown reference is null',
        run: async (store, { call, ref }) => {
          const bytes = Buffer.from(`%PDF-1.4 credit-partner adapter conformance kit ${ref('document')}`);
          const stored = await call('put', () => store.put({ ownerId: ref('owner'), kind: 'KIT', bytes, contentType: 'application/pdf' }));
          const got = await call('get', () => store.get(stored.reference));
          expectThat(Boolean(got && Buffer.compare(got.bytes, bytes) === 0 && got.sha256 === stored.sha256), () => `got ${got ? `${got.bytes.length} bytes, sha256 ${got.sha256}` : 'null'} back`);
          const unknown = await call('get', () => store.get('doc_unknown-to-the-kit'));
          expectThat(unknown === null, () => 'an unknown reference answered a document');
          return `${bytes.length} bytes back`;
        },
      },
    ],
  }),
};

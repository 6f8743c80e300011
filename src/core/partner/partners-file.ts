import { z } from 'zod';
import { PARTNER_PROTOCOLS, PartnerDefinition, partnerIdProblem, partnerProtocolOf, publicKeyProblem, smsTemplateProblem } from './partner';

/** A partners file that cannot be applied; `problems` names every one, by entry index and id. */
export class PartnersFileError extends Error {
  constructor(readonly source: string, readonly problems: string[]) {
    super(`${source} cannot be applied (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n  - ${problems.join('\n  - ')}`);
    this.name = 'PartnersFileError';
  }
}

const refuse = (problem: (value: never) => string | undefined) => (value: unknown, ctx: z.RefinementCtx) => {
  const message = problem(value as never);
  if (message) ctx.addIssue({ code: 'custom', message });
};

const upperCaseOf = <T extends readonly [string, ...string[]]>(values: T) =>
  z
    .string()
    .transform((value) => value.toUpperCase())
    .pipe(z.enum(values));

const KEY = z.unknown().superRefine(refuse(publicKeyProblem));

const ENTRY = z.strictObject({
  id: z.string().superRefine(refuse(partnerIdProblem)),
  protocol: z.string().transform((value, ctx) => {
    const protocol = partnerProtocolOf(value);
    if (!protocol) ctx.addIssue({ code: 'custom', message: `protocol is one of ${PARTNER_PROTOCOLS.join(', ')} (OCEN reads as OCEN_4)` });
    return protocol ?? z.NEVER;
  }),
  displayName: z.string().trim().min(1).max(200),
  jwks: z.strictObject({
    keys: z.array(KEY).superRefine((keys, ctx) => {
      const kids = keys.map((key) => (key as { kid?: unknown }).kid);
      const repeated = kids.filter((kid, i) => typeof kid === 'string' && kids.indexOf(kid) !== i);
      if (repeated.length) ctx.addIssue({ code: 'custom', message: `kid ${[...new Set(repeated)].join(', ')} is used by more than one key` });
    }),
  }),
  callbackBaseUrl: z.url({ protocol: /^https?$/ }).nullable().optional(),
  smsTemplate: z.string().superRefine(refuse(smsTemplateProblem)).nullable().optional(),
  rateLimitPerMinute: z.int().min(1).max(1_000_000).nullable().optional(),
  status: upperCaseOf(['ACTIVE', 'SUSPENDED'] as const).optional(),
});

/**
 * The partners of a deployment as configuration (PARTNERS_FILE): a JSON array of
 * `{id, protocol, displayName, jwks: {keys: [...]}, callbackBaseUrl?, smsTemplate?, rateLimitPerMinute?, status?}`.
 * `protocol` is GPAY, OCEN_4 or OCEN_3 (OCEN, its name before v3, reads as OCEN_4) and `status` ACTIVE or
 * SUSPENDED (either case); an OCEN_3 loan agent's `callbackBaseUrl` and RS512 keys in `jwks` are exchanged bilaterally; `jwks` holds public JWKs only, each
 * with its own `kid`; `smsTemplate` carries `{code}` once; `rateLimitPerMinute` is 1 to 1,000,000; a nullable
 * field given as null is cleared. Unknown fields and repeated ids are refused.
 *
 * The whole text is checked before anything is applied: on any problem it throws one PartnersFileError listing
 * every problem, each named by the entry's index and id (`source` names the file).
 */
export function parsePartnersFile(text: string, source: string): PartnerDefinition[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new PartnersFileError(source, [`not valid JSON: ${(err as Error).message}`]);
  }
  if (!Array.isArray(json)) throw new PartnersFileError(source, ['the file must hold a JSON array of partners']);

  const problems: string[] = [];
  const definitions: PartnerDefinition[] = [];
  const seen = new Map<string, number>();
  json.forEach((entry: unknown, index) => {
    const id = (entry as { id?: unknown } | null)?.id;
    const name = `[${index}]${typeof id === 'string' ? ` "${id}"` : ''}`;
    const parsed = ENTRY.safeParse(entry, { error: (issue) => (issue.code === 'invalid_type' && issue.input === undefined ? 'required, but missing' : undefined) });
    if (!parsed.success) {
      for (const issue of parsed.error.issues) problems.push(`${name}${issue.path.length ? ` ${pathOf(issue.path)}` : ''}: ${issue.message}`);
      return;
    }
    const earlier = seen.get(parsed.data.id);
    if (earlier !== undefined) problems.push(`${name}: the id is defined already by entry [${earlier}]`);
    else seen.set(parsed.data.id, index);
    definitions.push(parsed.data as PartnerDefinition);
  });
  if (problems.length) throw new PartnersFileError(source, problems);
  return definitions;
}

/** `['jwks', 'keys', 0]` → `jwks.keys[0]`. */
function pathOf(path: PropertyKey[]): string {
  return path.map((part, i) => (typeof part === 'number' ? `[${part}]` : `${i ? '.' : ''}${String(part)}`)).join('');
}

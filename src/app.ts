import { noDuesCertificatePage } from './protocols/borrower/no-dues-certificate-page';
import express from 'express';
import path from 'node:path';
import { endTrace, runInTrace, startServerTrace, traceparentOf } from './lib/trace';
import { APPLIED_MIGRATIONS_SQL, migrationDrift, readMigrations } from './lib/db/migrate';
import { projectRoot } from './lib/paths';
import { accessLog } from './lib/logger';
import { securityHeaders } from './protocols/shared/security-headers';
import { gpayRouter } from './protocols/gpay/gpay-router';
import { ocenRouter } from './protocols/ocen/ocen-router';
import type { SwaggerUiOptions } from 'swagger-ui-express';
import { GPAY_SWAGGER_OPTIONS, buildGpayOpenApi } from './protocols/gpay/gpay-openapi';
import { buildSandboxOpenApi, mergeSandbox } from './protocols/sandbox/sandbox-openapi';
import { ocenV3Router } from './protocols/ocen-v3/ocen-v3-router';
import { OCEN_V3_SWAGGER_OPTIONS, buildOcenV3OpenApi } from './protocols/ocen-v3/ocen-v3-openapi';
import { activeSigningKey } from './lib/keys';
import { OCEN_SWAGGER_OPTIONS, buildOcenOpenApi } from './protocols/ocen/ocen-openapi';
import { swaggerPage } from './protocols/shared/swagger-page';
import { plainErrorHandler, sandboxRouter } from './protocols/sandbox/sandbox-router';
import { publishedKeys } from './protocols/shared/jose-envelope';
import type { Services } from './container';
import { borrowerRouter } from './protocols/borrower/borrower-router';
import { incomeVerificationPage } from './protocols/borrower/income-verification-page';
import { kycPage } from './protocols/borrower/kyc-page';
import { kfsPage } from './protocols/borrower/kfs-page';
import { repaymentSetupPage } from './protocols/borrower/repayment-setup-page';

/** The surface a path belongs to (after BASE_PATH), for the metrics' `surface` label. */
export function surfaceOf(path: string, basePath: string): 'gpay' | 'ocen' | 'ocen-v3' | 'sandbox' | 'borrower' | 'other' {
  if (path === '/borrower' || path.startsWith('/borrower/')) return 'borrower';
  const rest = basePath && path.startsWith(basePath) ? path.slice(basePath.length) : path;
  if (rest.startsWith('/v1/')) return 'gpay';
  if (rest.startsWith('/v4.0.0alpha/')) return 'ocen';
  if (rest.startsWith('/v3/')) return 'ocen-v3';
  if (rest.startsWith('/sandbox/')) return 'sandbox';
  return 'other';
}

/**
 * The labels of an answered request, each from a bounded set: the operation is the one the surface named
 * (`res.locals.operation`) or the matched route's pattern (never the raw path, which holds ids), else
 * `unmatched`; the partner is the one the surface resolved (so known), else `unknown`.
 */
function requestLabels(req: express.Request, res: express.Response, basePath: string) {
  const route = (req as { route?: { path?: unknown } }).route;
  const named = typeof res.locals.operation === 'string' ? res.locals.operation : undefined;
  const operation = named ?? (route && typeof route.path === 'string' ? `${req.method} ${route.path}` : 'unmatched');
  const partner = (res.locals.partner as { id?: string } | undefined)?.id ?? (typeof res.locals.metricsPartner === 'string' ? res.locals.metricsPartner : 'unknown');
  return { surface: surfaceOf(req.originalUrl.split('?')[0], basePath), operation, partner, status: res.statusCode };
}

/** How a request's server span ends: named by its operation, with its labels; failed on a 5xx or an unanswered request. */
function serverSpanEnd(req: express.Request, res: express.Response, basePath: string) {
  const labels = requestLabels(req, res, basePath);
  const route = (req as { route?: { path?: unknown } }).route?.path;
  const answered = res.writableFinished;
  return {
    name: labels.operation === 'unmatched' ? req.method : labels.operation.startsWith(`${req.method} `) ? labels.operation : `${req.method} ${labels.operation}`,
    attributes: {
      'http.response.status_code': answered ? labels.status : undefined,
      'http.route': typeof route === 'string' ? route : undefined,
      'credit_partner.surface': labels.surface,
      'credit_partner.operation': labels.operation,
      'credit_partner.partner': labels.partner,
    },
    failed: !answered || labels.status >= 500,
  };
}

/** An OpenAPI document this app serves (`GET path`), and its Swagger UI page (`docsPath`, when DOCS_ENABLED). */
export interface ServedDocument {
  /** The front door's link names: `<name>Openapi` and `<name>Docs` (the partner API's: `openapi` and `docs`). */
  name: string;
  path: string;
  docsPath: string;
  document: object;
  swagger: SwaggerUiOptions;
}

/**
 * Every OpenAPI document this app serves, built once: the partner API with the sandbox's endpoints while the
 * sandbox is on (`/openapi.json`), the OCEN lender (`/ocen/openapi.json`) when OCEN is on, and the OCEN v3 lender
 * (`/ocen-v3/openapi.json`, always: it serves only partners onboarded as OCEN_3). A surface's
 * document is added here, and only here: the front door links it and test/http/openapi-lint.test.ts lints it.
 */
export function openApiDocuments(services: Services): ServedDocument[] {
  const { config } = services;
  const spec = buildGpayOpenApi({ basePath: config.basePath, httpReturnUrls: config.sandbox });
  if (config.sandbox) mergeSandbox(spec, buildSandboxOpenApi({ ocenCallbacks: Boolean(services.ocen) }));
  const ocenSpec = services.ocen
    ? buildOcenOpenApi(services.ocen.operations, { basePath: config.basePath, publicBaseUrl: config.publicBaseUrl, builtInAgent: !config.ocen })
    : undefined;
  if (ocenSpec) spec.info.description = `${spec.info.description ?? ''}\n\nThe OCEN 4.0 lender surface has its own document: [/ocen/docs](/ocen/docs) ([/ocen/openapi.json](/ocen/openapi.json)).`;
  return [
    { name: '', path: '/openapi.json', docsPath: '/docs', document: spec, swagger: GPAY_SWAGGER_OPTIONS },
    ...(ocenSpec ? [{ name: 'ocen', path: '/ocen/openapi.json', docsPath: '/ocen/docs', document: ocenSpec, swagger: OCEN_SWAGGER_OPTIONS }] : []),
    {
      name: 'ocenV3',
      path: '/ocen-v3/openapi.json',
      docsPath: '/ocen-v3/docs',
      document: buildOcenV3OpenApi(services.ocenV3.operations, { basePath: config.basePath, publicBaseUrl: config.publicBaseUrl }),
      swagger: OCEN_V3_SWAGGER_OPTIONS,
    },
  ];
}

/** The HTTP application: one router per surface (Google Pay-style API, sandbox), health, OpenAPI and Swagger UI. */
export function createApp(services: Services): express.Express {
  const { config, logger } = services;
  const app = express();
  app.locals.services = services;
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('trust proxy', false);
  app.set('json replacer', (_key: string, value: unknown) => {
    if (typeof value === 'bigint') throw new Error('bigint reached the wire; map it to a string');
    return value;
  });

  // First, so that every answer this app gives (errors and early refusals included) names its trace: README "Traces".
  const logRequest = accessLog(logger);
  app.use((req, res, next) => {
    const started = process.hrtime.bigint();
    const trace = startServerTrace(req.headers, req.method);
    res.setHeader('traceparent', traceparentOf(trace));
    if (trace.tracestate) res.setHeader('tracestate', trace.tracestate);
    res.setHeader('x-trace-id', trace.traceId);
    res.on('finish', () => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      logRequest({ traceId: trace.traceId, spanId: trace.spanId, method: req.method, path: req.baseUrl + req.path, status: res.statusCode, ms: Math.round(ms * 10) / 10 });
      services.metrics.httpRequest(requestLabels(req, res, config.basePath), ms / 1000);
    });
    // 'close' follows 'finish', or comes alone when the client went away before the answer.
    if (trace.span) res.once('close', () => endTrace(trace, serverSpanEnd(req, res, config.basePath)));
    runInTrace(trace, next);
  });
  app.use(securityHeaders({ production: config.appEnv === 'production' }));

  // Alive: the process answers. No dependency is asked (an orchestrator restarts on this; an outage of
  // PostgreSQL or Redis must not restart every API container).
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', readiness(services));
  const documents = openApiDocuments(services);
  if (config.sandbox) app.get('/', home(config.docsEnabled, documents));

  for (const served of documents) app.get(served.path, (_req, res) => res.json(served.document));
  app.get('/.well-known/jwks.json', publishedKeys(services.keys));
  if (config.docsEnabled) {
    for (const served of documents) app.use(served.docsPath, ...swaggerPage(served.document, served.swagger));
  }
  app.use('/public', express.static(path.join(projectRoot(), 'public')));

  app.use('/borrower', borrowerRouter(services, [kycPage, repaymentSetupPage, incomeVerificationPage, kfsPage,
    noDuesCertificatePage({ certificates: services.noDuesCertificates, links: services.noDuesCertificateLinks })]));

  const base = config.basePath || '';
  // First: the OCEN surface reads its own raw bodies (the others parse JSON for every path they see).
  if (services.ocen) {
    app.use(base || '/', ocenRouter({ lender: services.ocen, clock: services.clock, logger, sandbox: config.sandbox }));
  }
  // OCEN v3 loan agents (partners with protocol OCEN_3): also raw bodies, each a signed JWS.
  app.use(base || '/', ocenV3Router({
    partners: services.partners,
    journey: services.ocenV3,
    signingKey: () => activeSigningKey(services.keys, 'RS256'),
    clock: services.clock,
    logger,
    timestampWindowMs: config.ocen?.timestampWindowMs ?? 300_000,
  }));
  if (config.sandbox && services.sandbox) {
    app.use(base || '/', sandboxRouter({ partners: services.partners, limiter: services.limiter, logger, defaultPartnerId: services.sandbox.gpayPartnerId }));
  }
  app.use(base || '/', gpayRouter({
    partners: services.partners,
    limiter: services.limiter,
    clock: services.clock,
    logger,
    sandboxPartnerId: config.sandbox ? services.sandbox?.gpayPartnerId : undefined,
    keys: services.keys,
    requireSignedRequests: config.appEnv === 'production',
  }));

  app.use((_req, res) => res.status(404).json({ error: { code: 'NO_SUCH_OPERATION', message: 'No such endpoint' } }));
  app.use(plainErrorHandler(logger));
  return app;
}

type Check = 'up' | 'down';

/**
 * Ready to take traffic: PostgreSQL and Redis answer, the database has every migration this code ships (none
 * pending, none edited since it was applied), and every port has an adapter (none left on `unconfigured`). 200
 * when all hold, else 503; the body names each check, and what is pending, edited or missing. Migrations newer
 * than this code (a later release migrated first, in a rolling deploy) are listed but keep it ready: the
 * expand/contract rule (README "Deploying") keeps this code working on them.
 */
function readiness(services: Services): express.RequestHandler {
  const onDisk = readMigrations();
  return async (_req, res) => {
    const [postgres, redis, ledger] = await Promise.allSettled([
      services.db.ping(),
      services.redis.ping(),
      services.db.read<{ migration_name: string; checksum: string }>(APPLIED_MIGRATIONS_SQL),
    ]);
    const up = (result: PromiseSettledResult<unknown>): Check => (result.status === 'fulfilled' ? 'up' : 'down');
    const drift = ledger.status === 'fulfilled' ? migrationDrift(new Map(ledger.value.map((row) => [row.migration_name, row.checksum])), onDisk) : undefined;
    const migrations = !drift ? 'unknown' : drift.edited.length ? 'edited' : drift.pending.length ? 'pending' : 'current';
    const adapters = services.missingAdapters.length ? 'missing' : 'loaded';
    const checks = { postgres: up(postgres), redis: up(redis), migrations, adapters };
    const ready = checks.postgres === 'up' && checks.redis === 'up' && migrations === 'current' && adapters === 'loaded';
    res.status(ready ? 200 : 503).json({
      status: ready ? 'ready' : 'not ready',
      checks,
      ...(drift?.pending.length ? { pendingMigrations: drift.pending } : {}),
      ...(drift?.edited.length ? { editedMigrations: drift.edited } : {}),
      ...(drift?.newer.length ? { newerMigrations: drift.newer } : {}),
      ...(services.missingAdapters.length ? { missingAdapters: services.missingAdapters } : {}),
    });
  };
}

/** The sandbox's front door: where the documents are (JSON, or a page of links for a browser). */
function home(docsEnabled: boolean, documents: ServedDocument[]): express.RequestHandler {
  const links: Record<string, string> = {
    ...Object.fromEntries(documents.flatMap((d) => [...(docsEnabled ? [[d.name ? `${d.name}Docs` : 'docs', d.docsPath]] : []), [d.name ? `${d.name}Openapi` : 'openapi', d.path]])),
    jwks: '/.well-known/jwks.json',
    health: '/healthz',
    ready: '/readyz',
  };
  const body = { service: 'credit-partner', environment: 'sandbox', links };
  const page = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>credit-partner sandbox</title></head><body><h1>credit-partner sandbox</h1><ul>${Object.entries(links)
    .map(([name, href]) => `<li><a href="${href}">${name}</a> ${href}</li>`)
    .join('')}</ul></body></html>`;
  return (_req, res) => {
    res.format({
      'application/json': () => res.json(body),
      'text/html': () => res.type('html').send(page),
      default: () => res.json(body),
    });
  };
}

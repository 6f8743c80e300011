/**
 * Architecture rules, checked by `npm run lint` (dependency-cruiser) and proved by test/unit/architecture.test.ts.
 *
 *   src/core/**       the domain: services, state machines, ports (interfaces) for the outside world
 *     src/core/lending/**   the journey services every surface calls (above the feature folders)
 *     src/core/<feature>/** one folder per feature, one way only (CORE_FOLDERS_LOWEST_FIRST)
 *   src/lib/**        infrastructure (config, crypto, clock, logger, jobs, and the database in src/lib/db/**)
 *   src/adapters/**   outside-world adapters (bureau, CKYC registry, rail, SMS, sandbox fakes): implement core's ports
 *   src/protocols/**  one folder per partner-facing surface (gpay/, sandbox/, ocen/, ...), plus shared/: wire mapping
 *                     only, on core services (no adapter, no composition root, no transaction, idempotency or callback row)
 *   src/container.ts, src/app.ts, src/*main.ts   the composition root: the only place that wires everything together
 *
 * Paths in the rules are relative to the project root; npm packages resolve to node_modules/<name>/…
 * Generated code (src/generated/**) is not checked as a source, but it is a target: importing the generated
 * Prisma client is what the Prisma rules look for.
 */

/** The Prisma client: the npm package, its older generated location, and this project's generated client. */
const PRISMA_CLIENT = ['(^|/)node_modules/@prisma/client/', '(^|/)node_modules/[.]prisma/client/', '^src/generated/prisma/'];
const PRISMA_ADAPTER = ['(^|/)node_modules/@prisma/adapter-pg/'];
/** HTTP / API-framework packages (and their type packages). */
const WEB_FRAMEWORK = [
  '(^|/)node_modules/(@types/)?express/',
  '(^|/)node_modules/(@types/)?swagger-ui-express/',
  '(^|/)node_modules/tsoa/',
  '(^|/)node_modules/@tsoa/',
];
const COMPOSITION_ROOT = '^src/(container|app|main|[a-z-]+-main)[.]ts$';

/**
 * The core's feature folders, lowest first: a folder may import only folders listed before it, so no two folders
 * depend on each other both ways (nor in a longer loop). A folder not listed counts as above every listed one (it may
 * import them, none of them may import it): list a new folder where it belongs. src/core/lending, the journey
 * services above all of them, is not listed: no feature folder may import it (core-features-not-to-lending).
 */
const CORE_FOLDERS_LOWEST_FIRST = [
  'state', 'shared', 'money', 'partner', 'product', 'application', 'challenge', 'offer', 'approval', 'kyc', 'payout',
  'ledger', 'loan', 'mandate', 'auth-token', 'borrower-session', 'consent', 'income', 'kfs', 'dispute', 'reconciliation', 'servicing',
];
const coreFoldersOneWay = CORE_FOLDERS_LOWEST_FIRST.map((folder, index) => ({
  name: 'core-folders-one-way',
  severity: 'error',
  comment:
    `src/core/${folder} may import only the core folders listed before it in CORE_FOLDERS_LOWEST_FIRST ` +
    `(${CORE_FOLDERS_LOWEST_FIRST.slice(0, index).join(', ') || 'none'}), so that no two feature folders depend on each ` +
    'other both ways. Move what both need down to the lower folder, or the work that needs both up into src/core/lending.',
  from: { path: `^src/core/${folder}/` },
  to: { path: '^src/core/[^/]+/', pathNot: `^src/core/(${CORE_FOLDERS_LOWEST_FIRST.slice(0, index + 1).join('|')})/` },
}));

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    // ---------------------------------------------------------------- core: the domain depends on nothing outward
    {
      name: 'core-not-to-protocols',
      severity: 'error',
      comment:
        'src/core is the domain and must not know about a partner protocol (src/protocols/**: wire types, controllers, ' +
        'error envelopes). Move what both need into src/core (the protocol maps its wire format to and from core types), ' +
        'or keep it in the protocol.',
      from: { path: '^src/core/' },
      to: { path: '^src/protocols/' },
    },
    {
      name: 'core-not-to-adapters',
      severity: 'error',
      comment:
        'src/core must not depend on an outside-world adapter (src/adapters/**). Declare a port (an interface) in ' +
        'src/core, let the adapter implement it, and wire the adapter in src/container.ts.',
      from: { path: '^src/core/' },
      to: { path: '^src/adapters/' },
    },
    {
      name: 'core-not-to-composition-root',
      severity: 'error',
      comment:
        'src/core must not import the composition root (src/container.ts, src/app.ts, src/*main.ts): that is what ' +
        'wires core together, so importing it makes the domain depend on everything. Take what you need as a ' +
        'constructor parameter instead.',
      from: { path: '^src/core/' },
      to: { path: COMPOSITION_ROOT },
    },
    {
      name: 'core-not-to-web-framework',
      severity: 'error',
      comment:
        'src/core must not use the HTTP/API framework (express, tsoa, @tsoa/*, swagger-ui-express), not even its types: ' +
        'the domain has to serve GPay today and OCEN tomorrow. Throw an AppError from src/core/errors.ts and let the ' +
        'protocol layer turn it into a response.',
      from: { path: '^src/core/' },
      to: { path: WEB_FRAMEWORK },
    },

    ...coreFoldersOneWay,
    {
      name: 'core-features-not-to-lending',
      severity: 'error',
      comment:
        'src/core/lending holds the journey services every surface calls (accepting a request with its answer owed, ' +
        'opening an application, its facts, signing, release, ...): it sits above the feature folders and may import ' +
        'any of them; a feature folder must not import it. Move what the feature needs into the feature (or below it).',
      from: { path: '^src/core/[^/]+/', pathNot: '^src/core/lending/' },
      to: { path: '^src/core/lending/' },
    },

    // ---------------------------------------------------------------- lib: infrastructure, below the domain
    {
      name: 'lib-not-to-core',
      severity: 'error',
      comment:
        'src/lib is infrastructure and sits below the domain: it must not import src/core/**. If this is an adapter ' +
        "implementing a core port, it belongs in src/adapters/**; if core and lib both need it (an error type, a " +
        'helper), move it into src/lib.',
      from: { path: '^src/lib/' },
      to: { path: '^src/core/' },
    },
    {
      name: 'lib-not-to-protocols',
      severity: 'error',
      comment:
        'src/lib is infrastructure and must not import a partner protocol (src/protocols/**). Pass what it needs in ' +
        'as a parameter, or move the code into the protocol.',
      from: { path: '^src/lib/' },
      to: { path: '^src/protocols/' },
    },
    {
      name: 'lib-not-to-adapters',
      severity: 'error',
      comment:
        'src/lib is infrastructure and must not import an outside-world adapter (src/adapters/**); adapters build on ' +
        'lib, not the other way round. Wire adapters in src/container.ts.',
      from: { path: '^src/lib/' },
      to: { path: '^src/adapters/' },
    },

    // ---------------------------------------------------------------- adapters: implement core ports
    {
      name: 'adapters-not-to-protocols',
      severity: 'error',
      comment:
        'An outside-world adapter (src/adapters/**) may use src/core (ports, types) and src/lib, but never a partner ' +
        'protocol (src/protocols/**): the bureau, the registry or the rail must not care which payment app the ' +
        'request came from.',
      from: { path: '^src/adapters/' },
      to: { path: '^src/protocols/' },
    },

    // ---------------------------------------------------------------- protocols: thin, isolated surfaces
    {
      name: 'protocols-not-to-prisma',
      severity: 'error',
      comment:
        'A protocol (src/protocols/**) must not touch the database: no @prisma/client, no @prisma/adapter-pg, no ' +
        'generated client (src/generated/prisma/**), not even for types or enums. Call a core service and map core ' +
        'types to the wire format; if you need a database enum, define the domain type in src/core.',
      from: { path: '^src/protocols/' },
      to: { path: [...PRISMA_CLIENT, ...PRISMA_ADAPTER] },
    },
    {
      name: 'protocols-not-to-other-protocols',
      severity: 'error',
      comment:
        'A protocol folder (src/protocols/<name>/**) must not import another protocol folder: each partner surface ' +
        '(gpay, sandbox, ocen, ...) evolves on its own. Put what several protocols share in src/protocols/shared/**, ' +
        'or, if it is business logic, in src/core.',
      from: { path: '^src/protocols/([^/]+)/' },
      to: { path: '^src/protocols/[^/]+/', pathNot: '^src/protocols/($1|shared)/' },
    },

    {
      name: 'protocols-not-to-adapters',
      severity: 'error',
      comment:
        'A protocol (src/protocols/**) must not import an outside-world adapter (src/adapters/**), not even the ' +
        "sandbox's fakes: it maps its wire to core services. What a surface needs of an adapter (the sandbox's phone, " +
        'rail, account aggregator) it declares as an interface, and the composition root injects the adapter.',
      from: { path: '^src/protocols/' },
      to: { path: '^src/adapters/' },
    },
    {
      name: 'protocols-not-to-composition-root',
      severity: 'error',
      comment:
        'A protocol must not import the composition root (src/container.ts, src/app.ts, src/*main.ts), not even its ' +
        'Services type: declare the services the surface uses as its own interface (e.g. GpayServices), which the ' +
        "container's Services extends.",
      from: { path: '^src/protocols/' },
      to: { path: COMPOSITION_ROOT },
    },
    {
      name: 'protocols-not-to-core-infrastructure',
      severity: 'error',
      comment:
        'A protocol must not open transactions, keep idempotency records or write partner callbacks itself ' +
        '(src/lib/db/**, src/lib/idempotency/**, src/lib/callbacks/**), nor use a repository (*.repository.ts): the ' +
        "core's journey services (src/core/lending/**: PartnerRequests, PartnerAnswers, ...) own that work, so that every " +
        'surface gets it the same way. The protocol maps its wire, calls one core service and maps the answer back.',
      from: { path: '^src/protocols/' },
      to: { path: ['^src/lib/db/', '^src/lib/idempotency/', '^src/lib/callbacks/', '[.]repository[.]ts$'] },
    },

    // ---------------------------------------------------------------- the database stays behind repositories
    {
      name: 'prisma-client-only-in-repositories',
      severity: 'error',
      comment:
        'Only a repository (a file named *.repository.ts) or the database layer (src/lib/db/**) may import the Prisma ' +
        'client (@prisma/client, src/generated/prisma/**), types and enums included. Add or extend a repository and ' +
        'return domain types from it. (Protocols are covered, more strictly, by protocols-not-to-prisma.)',
      from: { pathNot: ['[.]repository[.]ts$', '^src/lib/db/', '^src/protocols/', '^src/generated/'] },
      to: { path: PRISMA_CLIENT },
    },
    {
      name: 'prisma-adapter-only-in-lib-db',
      severity: 'error',
      comment:
        'Only the database layer (src/lib/db/**) may import @prisma/adapter-pg: the driver adapter is how the one ' +
        'Database instance is built; everything else gets that instance (or a repository) injected.',
      from: { pathNot: ['^src/lib/db/', '^src/protocols/', '^src/generated/'] },
      to: { path: PRISMA_ADAPTER },
    },

    // ---------------------------------------------------------------- metrics: one library, behind a port
    {
      name: 'metrics-library-only-in-lib-metrics',
      severity: 'error',
      comment:
        'Only src/lib/metrics/** may import the metrics library (prom-client). The domain, the protocols and the ' +
        'adapters report through the Metrics port (src/lib/metrics/metrics.ts) they are given; the composition ' +
        'root builds the one registry of the process (PrometheusMetrics) and serves it (MetricsServer).',
      from: { path: '^src/', pathNot: ['^src/lib/metrics/', '^src/generated/'] },
      to: { path: '(^|/)node_modules/prom-client/' },
    },

    // ---------------------------------------------------------------- traces: one SDK, behind src/lib/trace.ts
    {
      name: 'tracing-library-only-in-lib-tracing',
      severity: 'error',
      comment:
        'Only src/lib/tracing/** may import OpenTelemetry (@opentelemetry/*), and it is loaded only when an OTLP ' +
        'endpoint is configured. Everything else uses src/lib/trace.ts (outgoingTraceHeaders, inSpan, tracedPort, ' +
        'currentTraceId): the domain never sees a span, and the request path never loads the SDK when tracing is off.',
      from: { path: '^src/', pathNot: ['^src/lib/tracing/', '^src/generated/'] },
      to: { path: '(^|/)node_modules/@opentelemetry/' },
    },

    // ---------------------------------------------------------------- general hygiene
    {
      name: 'no-circular',
      severity: 'error',
      comment:
        'This import is part of a circular dependency that exists at run time (type-only imports, and imports used ' +
        'only as types, are not counted: TypeScript erases them). Cycles make load order matter and can leave an ' +
        'import undefined. Break it by moving the shared piece down a layer, or by depending on an interface ' +
        '(import type) instead of the implementation.',
      from: { pathNot: '^src/generated/' },
      to: {
        circular: true,
        dependencyTypesNot: ['type-only', 'pre-compilation-only'],
        viaOnly: { dependencyTypesNot: ['type-only', 'pre-compilation-only'] },
      },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      comment:
        'This import cannot be resolved to a file or an installed package, so the architecture rules cannot check it. ' +
        'Run `npm ci` and `npm run generate` (src/generated is not committed), or fix the path.',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    // Generated code (tsoa routes, the Prisma client) is not checked itself, but stays a target of other modules.
    doNotFollow: { path: ['node_modules', '^src/generated/'] },
    // 'specify': see type-only imports (they count for the layer rules) and mark which imports TypeScript erases,
    // so no-circular can ignore compile-time-only cycles.
    tsPreCompilationDeps: 'specify',
    tsConfig: { fileName: 'tsconfig.json' },
    moduleSystems: ['cjs', 'es6'],
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      mainFields: ['main', 'types', 'typings'],
    },
    skipAnalysisNotInRules: true,
    reporterOptions: {
      text: { highlightFocused: true },
    },
  },
};

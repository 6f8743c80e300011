import express, { NextFunction, Request, Response } from 'express';
import swaggerUi from 'swagger-ui-express';
import { ValidateError } from '@tsoa/runtime';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import './protocols/tsoa-array-paths';
import { RegisterRoutes } from './generated/routes';
import { AppError, AppErrorCode } from './core/errors';
import { fromValidateError, toErrorEnvelope } from './protocols/gpay/gpay-errors';
import { buildOpenApi } from './protocols/openapi';
import type { Services } from './container';

const REQUEST_ID = /^[A-Za-z0-9:_-]{1,100}$/;

/** The HTTP application: partner API, sandbox, health, OpenAPI and Swagger UI. */
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

  app.use((req, res, next) => {
    const started = process.hrtime.bigint();
    const traceId = randomUUID();
    res.setHeader('x-trace-id', traceId);
    res.on('finish', () => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      logger.info({ traceId, method: req.method, path: req.baseUrl + req.path, status: res.statusCode, ms: Math.round(ms * 10) / 10 }, 'request');
    });
    next();
  });

  app.get('/healthz', async (_req, res) => {
    const checks = await Promise.allSettled([services.db.ping(), services.redis.ping()]);
    const [postgres, redis] = checks.map((c) => (c.status === 'fulfilled' ? 'up' : 'down'));
    res.status(postgres === 'up' && redis === 'up' ? 200 : 503).json({ status: postgres === 'up' && redis === 'up' ? 'ok' : 'degraded', postgres, redis });
  });

  const spec = buildOpenApi({ basePath: config.basePath, sandbox: config.sandbox, publicBaseUrl: config.publicBaseUrl });
  app.get('/openapi.json', (_req, res) => res.json(spec));
  app.use('/docs', swaggerUi.serve, swaggerUi.setup(spec, {
    customSiteTitle: 'credit-partner API',
    swaggerOptions: {
      // "Try it out" sends the examples; give each call a fresh timestamp and requestId so it passes the ±60 s check.
      requestInterceptor: (request: { body?: unknown }) => {
        if (typeof request.body === 'string' && request.body.includes('"requestHeader"')) {
          try {
            const body = JSON.parse(request.body);
            body.requestHeader.requestTimestamp = { epochMillis: String(Date.now()) };
            body.requestHeader.requestId = `docs-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;
            request.body = JSON.stringify(body);
          } catch {
            /* leave the body as typed */
          }
        }
        return request;
      },
    },
  }));
  app.use('/public', express.static(path.resolve(__dirname, '../public')));

  const api = express.Router();
  api.use(express.json({ limit: '64kb', strict: true, type: () => true }));
  api.use('/sandbox', (_req, _res, next) => next(config.sandbox ? undefined : new AppError(AppErrorCode.NOT_FOUND, 'Sandbox is off')));
  RegisterRoutes(api);
  app.use(config.basePath || '/', api);

  app.use((_req, _res, next) => next(new AppError(AppErrorCode.NOT_FOUND, 'No such endpoint')));
  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    const appError = toAppError(err);
    if (appError.code === AppErrorCode.INTERNAL || appError.code === AppErrorCode.SERVICE_UNAVAILABLE) {
      logger.error({ err, path: req.path }, 'request failed');
    }
    const candidate = (req.body as { requestHeader?: { requestId?: unknown } } | undefined)?.requestHeader?.requestId;
    const requestId = typeof candidate === 'string' && REQUEST_ID.test(candidate) ? candidate : '';
    const { status, body } = toErrorEnvelope(appError, requestId, services.clock.now());
    if (typeof body.errorResponse.retryAfterSeconds === 'number') res.setHeader('retry-after', String(body.errorResponse.retryAfterSeconds));
    res.status(status).json(body);
  });
  return app;
}

function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  if (err instanceof ValidateError) return fromValidateError(err);
  const e = err as { type?: string; status?: number; code?: string; name?: string };
  if (e?.type === 'entity.parse.failed') return new AppError(AppErrorCode.MALFORMED_REQUEST, 'The request body is not valid JSON');
  if (e?.type === 'entity.too.large') return new AppError(AppErrorCode.PAYLOAD_TOO_LARGE, 'The request body is larger than 64 KiB');
  if (e?.type === 'encoding.unsupported' || e?.type === 'charset.unsupported') {
    return new AppError(AppErrorCode.MALFORMED_REQUEST, 'Unsupported body encoding; send UTF-8 JSON');
  }
  if (e?.status && e.status >= 400 && e.status < 500) return new AppError(AppErrorCode.MALFORMED_REQUEST, 'The request could not be read');
  if (isConnectivityError(err)) return new AppError(AppErrorCode.SERVICE_UNAVAILABLE, 'A dependency is unavailable; retry later with the same requestId');
  return new AppError(AppErrorCode.INTERNAL, 'Internal error; nothing was committed. Retry with the same requestId');
}

function isConnectivityError(err: unknown): boolean {
  const e = err as { code?: string; name?: string; message?: string };
  return (
    ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'P1001', 'P1002', 'P1017', 'P2024'].includes(e?.code ?? '') ||
    /ECONNREFUSED|Connection terminated|connect ETIMEDOUT/.test(e?.message ?? '')
  );
}

import { Metrics, NestPinoLogger, type Logger } from '@helpdesk/kit';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import helmet from 'helmet';
import { AppModule } from './app.module.js';
import { refuseCrossOriginWrites } from './auth/csrf.js';
import { sessionMiddleware } from './auth/sessions.js';
import type { GatewayConfig } from './config.js';
import { sendError } from './http/error-response.js';
import { requestContext } from './http/request-context.js';
import { ASSETS_PATH, LIBRARY_ASSETS, PUBLIC_DIR } from './http/page-views.js';
import { QueueDashboard } from './queues/queue-dashboard.js';
import { QUEUE_DASHBOARD_PATH } from './queues/dashboard-access.js';
import { createRedis } from './redis.js';

/** Builds the gateway (middleware order matters: context, security headers, body, session, routes). */
export async function createGateway(config: GatewayConfig, logger: Logger): Promise<INestApplication> {
  const redis = createRedis(config.REDIS_URL, config.REDIS_PREFIX);
  const metrics = new Metrics('gateway');
  const app = await NestFactory.create<NestExpressApplication>(
    AppModule.forRoot(config, logger, redis, metrics),
    {
      logger: new NestPinoLogger(logger),
      bodyParser: false,
    },
  );
  if (config.TRUST_PROXY) app.set('trust proxy', 1);
  app.disable('x-powered-by');
  // API answers are per-user and change often; computing ETags only cost time.
  app.set('etag', false);
  app.use(requestContext(logger, metrics));
  app.use(helmet());
  // The portal's CSS and scripts, before the session: static files never touch Redis.
  for (const [name, path] of Object.entries(LIBRARY_ASSETS))
    app.use(`${ASSETS_PATH}/${name}`, (_req: Request, res: Response) => res.sendFile(path, { maxAge: '7d' }));
  app.use(ASSETS_PATH, express.static(PUBLIC_DIR, { index: false, maxAge: '7d', fallthrough: false }));
  // Browsers ask for /favicon.ico whatever a page says (a page replaced by script, a download): the
  // portal has no icon (its pages link `data:,`), so the answer is "none", cached, never a 404 page.
  app.use(FAVICON_PATH, (_req: Request, res: Response) => {
    res.setHeader('Cache-Control', 'public, max-age=604800');
    res.status(204).end();
  });
  // The API takes no CSRF token: it refuses other sites' browser requests instead, before reading a body.
  app.use('/api/v1', refuseCrossOriginWrites);
  // Anonymous public form posts: their own, smaller body limit, parsed before the general parsers.
  const submissionLimit = { limit: config.FORMS_SUBMIT_BODY_LIMIT_BYTES };
  app.use(PUBLIC_SUBMISSIONS, express.json(submissionLimit));
  app.use(PUBLIC_SUBMISSIONS, express.urlencoded({ extended: false, ...submissionLimit }));
  app.use(onlyWithBody(express.json({ limit: config.BODY_LIMIT_BYTES })));
  app.use(onlyWithBody(express.urlencoded({ extended: false, limit: config.BODY_LIMIT_BYTES })));
  // They need no session either: skipping it saves a Redis round trip on the busiest anonymous route.
  app.use(...sessionMiddleware(config, redis).map(unlessPublicSubmission));
  // bull-board is an Express app of its own: mounted here, it answers before the portal's `/:slug` routes.
  app.use(QUEUE_DASHBOARD_PATH, ...app.get(QueueDashboard).handlers);
  // Errors raised by the middleware above (body too large, malformed JSON) get the API's error shape.
  app.use((error: unknown, _req: Request, res: Response, _next: NextFunction) =>
    sendError(error, res, logger),
  );

  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Help desk API')
      .setDescription(
        'JSON API of the help desk gateway. Log in with POST /api/v1/auth/login; the session cookie authenticates the rest.',
      )
      .setVersion('1')
      .addCookieAuth('hd.sid')
      .build(),
  );
  SwaggerModule.setup('api/docs', app, document, { jsonDocumentUrl: 'api/docs-json' });
  return app;
}

const FAVICON_PATH = '/favicon.ico';

/** Where other sites post forms (no login, no session). */
const PUBLIC_SUBMISSIONS = ['/forms/v1/submit', '/submissions/v3/integration/submit'];

const unlessPublicSubmission =
  (handler: RequestHandler): RequestHandler =>
  (req, res, next) =>
    PUBLIC_SUBMISSIONS.some((prefix) => req.path.startsWith(`${prefix}/`)) ? next() : handler(req, res, next);

/** Body parsers have nothing to do on GET, HEAD and DELETE requests. */
const onlyWithBody =
  (parser: RequestHandler): RequestHandler =>
  (req, res, next) =>
    req.method === 'GET' || req.method === 'HEAD' || req.method === 'DELETE'
      ? next()
      : parser(req, res, next);

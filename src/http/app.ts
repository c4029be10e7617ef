/** Builds the HTTP application without listening: the server and the tests both start from here. */
import Fastify, {
  errorCodes,
  LogController,
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
} from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import pino from 'pino';
import type { Registry } from 'prom-client';
import { FeishuError, type FeishuCode } from '../domain/errors.js';
import { quoteLongIntegers } from '../util/long-integers.js';
import type { Services } from '../services/index.js';
import { errorBody } from './feishu-envelope.js';
import { answerRefusal } from './refusal-answer.js';
import { EmulatorControls } from './emulator-controls.js';
import { redactUrl } from './redaction.js';
import { keepContentTypeCase, writeLogId } from './header-case.js';
import { registerMetrics } from './metrics.js';
import { checkRequestShape } from './request-shape.js';
import { clientErrorHandler } from './client-errors.js';
import { registerOpenApi } from './openapi.js';
import { trackResponseCodes } from './response-code.js';
import { validationReason, validatorCompiler } from './validation.js';
import { adminConsoleRoutes } from './routes/admin-console.js';
import { adminRoutes } from './routes/admin.js';
import { consoleRoutes } from './routes/console.js';
import { authRoutes } from './routes/auth.js';
import { approvalV4Routes } from './routes/open-apis/approval/v4/index.js';
import { healthRoutes } from './routes/health.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The code a malformed request gets on this route, when not 1390001 (the token endpoints answer 10003). */
    paramErrorCode?: FeishuCode;
  }
}

export interface AppOptions {
  services: Services;
  adminToken: string;
  emulator: boolean;
  /** Per-app request limits; by default on, except in emulator mode. */
  rateLimit?: boolean | undefined;
  /** The emulator controls to install in emulator mode (the server keeps them for startShenpi()); new ones by default. */
  controls?: EmulatorControls;
  /** Defaults to a silent logger. */
  logger?: FastifyBaseLogger;
  /** How long a client may take, and how many may be connected at once; HTTP_LIMITS when absent. */
  limits?: HttpLimits;
  /** In a worker of `--workers`: `/metrics` answers all workers' counts, gathered this way (cluster.ts). */
  aggregatedMetrics?: (registry: Registry) => () => Promise<string>;
}

export interface HttpLimits {
  /** The whole request, headers and body, from its first byte. */
  requestTimeoutMs: number;
  /** An idle kept-alive connection. */
  keepAliveTimeoutMs: number;
  /** Connections held at once; more are closed as they come, so slow clients cannot use up the descriptors. */
  maxConnections: number;
}

export const HTTP_LIMITS: HttpLimits = { requestTimeoutMs: 30_000, keepAliveTimeoutMs: 72_000, maxConnections: 1_000 };

export const BODY_LIMIT = 1024 * 1024;

/** Fastify's own request errors that are the client's fault, and the reason they get in the Feishu envelope. */
const CLIENT_ERRORS: Record<string, (e: FastifyError) => string> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: (e) => `the Content-Type must be application/json (${e.message})`,
  FST_ERR_CTP_BODY_TOO_LARGE: () => `the body is larger than ${BODY_LIMIT} bytes`,
  FST_ERR_CTP_INVALID_JSON_BODY: () => 'the body is not valid JSON',
  FST_ERR_CTP_EMPTY_JSON_BODY: () => 'the body is empty',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: () => 'the Content-Length does not match the body',
};

function classify(thrown: Error): { code: FeishuCode; reason: string } | undefined {
  if (thrown instanceof FeishuError) return { code: thrown.code, reason: thrown.reason };
  const error = thrown as FastifyError;
  if (error.validation) return { code: 1390001, reason: validationReason(error.validation, error.validationContext) };
  const client = error.code ? CLIENT_ERRORS[error.code] : undefined;
  if (client) return { code: 1390001, reason: client(error) };
  if (error instanceof SyntaxError) return { code: 1390001, reason: 'the body is not valid JSON' };
  return undefined;
}

/** Admin routes answer `{"error": ...}`; everything else the Feishu envelope. */
const isAdminPath = (url: string): boolean => url.startsWith('/_shenpi/');

function answerUnreadableRequest(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  writeLogId(reply, request.id);
  const reason = `the request URL is not valid: ${error.message}`;
  if (isAdminPath(request.url)) reply.code(400).send({ error: reason });
  else reply.code(400).send(errorBody(1390001, reason, request.id));
}

/** Fastify's request line, with secret query parameters redacted from the URL. */
const requestSerializers = {
  req: (req: FastifyRequest) => ({
    method: req.method,
    url: redactUrl(req.url),
    host: req.host,
    remoteAddress: req.ip,
    remotePort: req.socket?.remotePort,
  }),
};

export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const { services } = options;
  const limits = options.limits ?? HTTP_LIMITS;
  const app = Fastify({
    loggerInstance: (options.logger ?? pino({ level: 'silent' })).child({}, { serializers: requestSerializers }),
    genReqId: () => services.ids.logId(services.clock.clock.now()),
    requestIdHeader: false,
    logController: new LogController({ requestIdLogLabel: 'log_id' }),
    bodyLimit: BODY_LIMIT,
    // Feishu ids are short, but an over-long one must reach the routes and be answered "not found".
    routerOptions: { maxParamLength: 1024 },
    // Requests the router can not even read (bad percent-encoding, ...) still get the envelope and a log id.
    frameworkErrors: answerUnreadableRequest,
    // ... and so do those the HTTP server refuses before any route (too slow, headers too large, not HTTP); the
    // client then has as long to read that answer and close as it had to send its request, at most 5 s.
    clientErrorHandler: clientErrorHandler(
      () => services.ids.logId(services.clock.clock.now()),
      Math.min(limits.requestTimeoutMs, 5_000),
    ),
    requestTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    // A request without Host reaches the routes and gets their envelope, rather than Node's empty 400; and
    // the request time is checked often enough for short limits (Node looks every 30 s by default).
    http: { requireHostHeader: false, connectionsCheckingInterval: Math.min(1_000, limits.requestTimeoutMs) },
  }).withTypeProvider<TypeBoxTypeProvider>();
  app.server.maxConnections = limits.maxConnections;
  // Headers arrive first: a client that has not sent them within the request time is cut at that time too.
  app.server.headersTimeout = limits.requestTimeoutMs;
  // Node stops timing requests once its server closes, so a client still sending one would hold a graceful stop
  // open for good: it gets the request time once more, then the connections left are closed.
  app.addHook('preClose', async () => {
    const cutOff = setTimeout(() => app.server.closeAllConnections(), limits.requestTimeoutMs).unref();
    app.server.once('close', () => clearTimeout(cutOff));
  });

  // A GET's body is read like any other: the Node SDK's externalTask.list sends its filters as the JSON body
  // of `GET /external_tasks` (sdk.md §4); on every other GET the body (the SDK's `{}`) is read and ignored.
  app.addHttpMethod('GET', { hasBody: true, overrideExisting: true });
  app.setValidatorCompiler(validatorCompiler);
  // Response schemas document the answers (/openapi.json) and type the handlers; they never filter or
  // coerce what a formatter wrote, as fastify's schema-driven serializer would.
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));

  // An empty JSON body counts as no body: the Node SDK sends `Content-Type: application/json` on GET too.
  // Integers too long for a JS number keep their digits, as strings (util/long-integers.ts).
  const defaultJson = app.getDefaultJsonParser('error', 'error');
  const parseJson = (request: FastifyRequest, body: string | Buffer, done: (err: Error | null, body?: unknown) => void) => {
    const text = body.toString();
    if (text.trim() === '') return done(null, undefined);
    defaultJson(request, quoteLongIntegers(text), done);
  };
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, parseJson);
  // A body without any Content-Type is JSON (the Python SDK's token request sends none); any other type is refused.
  app.addContentTypeParser('*', { parseAs: 'string' }, (request, body, done) => {
    if (request.headers['content-type'] === undefined) return parseJson(request, body, done);
    done(new errorCodes.FST_ERR_CTP_INVALID_MEDIA_TYPE());
  });

  // The hooks every request runs take a callback rather than returning a promise: fastify then skips a
  // promise and a microtask turn per hook, which a cheap request (a refusal, a read) notices.
  app.addHook('onRequest', (request, reply, done) => {
    writeLogId(reply, request.id);
    if (!services.clock.needsRefresh()) return done();
    services.clock.refresh().then(() => done(), done);
  });
  app.addHook('preValidation', (request, _reply, done) => {
    try {
      checkRequestShape({ body: request.body, query: request.query, params: request.params });
    } catch (error) {
      return done(error as Error);
    }
    done();
  });
  keepContentTypeCase(app);

  app.setNotFoundHandler((_request, reply) => {
    reply.code(404).type('text/plain; charset=utf-8').send('404 page not found');
  });

  app.setErrorHandler((error: FastifyError, request, reply) => {
    // A body refused unread (too large, another content type) is read to its end and dropped, so that a
    // client still uploading can finish and read this answer, instead of meeting a closed connection (fastify
    // asks to close it; the request time bounds how long the rest may take).
    if (!request.raw.readableEnded) {
      request.raw.resume();
      reply.removeHeader('connection');
    }
    const known = classify(error);
    if (isAdminPath(request.url)) {
      if (known) return reply.code(400).send({ error: known.reason });
      if (error.statusCode && error.statusCode < 500) return reply.code(error.statusCode).send({ error: error.message });
      // contract.md: admin errors are 4xx; the details stay in the log, under the request's log id.
      request.log.error({ err: error }, 'admin request failed');
      return reply.code(400).send({ error: `the request failed; log id ${request.id}` });
    }
    if (!known) request.log.error({ err: error }, 'request failed');
    return reply.send(answerRefusal(request, reply, known ?? { code: 1395001, reason: 'an internal error occurred; the log id identifies it' }));
  });

  trackResponseCodes(app);
  await registerOpenApi(app);
  registerMetrics(app, services, options.aggregatedMetrics);
  const controls = options.emulator ? (options.controls ?? new EmulatorControls(services.emulator)) : undefined;
  controls?.install(app, () => services.clock.clock.now());

  await app.register(healthRoutes, { services });
  const rateLimit = options.rateLimit ?? !options.emulator;
  await app.register(authRoutes, { services, rateLimit });
  await app.register(approvalV4Routes, {
    prefix: '/open-apis/approval/v4',
    services,
    rateLimit,
  });
  await app.register(consoleRoutes);
  await app.register(adminConsoleRoutes, { prefix: '/_shenpi', services, adminToken: options.adminToken });
  await app.register(adminRoutes, {
    prefix: '/_shenpi',
    services,
    adminToken: options.adminToken,
    controls,
  });
  return app;
}

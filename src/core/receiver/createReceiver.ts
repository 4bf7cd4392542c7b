import { timingSafeEqual } from 'node:crypto';
import express, { type ErrorRequestHandler, type Request, type RequestHandler, type Response } from 'express';
import type { Logger } from '../log/logger';
import { errorMessage } from '../log/errorMessage';
import { parseTelecmiEvent } from '../telecmi/parseEvent';
import type { CallEvent } from '../telecmi/eventSchema';
import { createTokenMasker, type RequestLog } from './requestLog';

/**
 * Where accepted events go, and what became of each (`recorded`, `published`...): the pipeline
 * host answers at once; a team server's publisher answers once the event is safe (acknowledged by
 * the broker, or spooled). A rejection is a 503; `duplicate` is told to the sender.
 */
export type EventSink<Outcome extends string = string> = (event: CallEvent) => Outcome | Promise<Outcome>;

/** An event a sink will not take, whatever is retried: the sender is told why, with a 4xx. */
export class EventRefused extends Error {
  constructor(
    message: string,
    readonly status = 422,
  ) {
    super(message);
    this.name = 'EventRefused';
  }
}

/** What `/healthz` says: 200 while events are delivered, 503 (with the reason) while they are not. */
export type Health = () => Record<string, unknown> & { ok: boolean };

/** What `/metrics` answers (a team server's, in Prometheus' text format). */
export interface MetricsEndpoint {
  contentType: string;
  text: () => Promise<string>;
}

export interface ReceiverOptions {
  token: string;
  ingest: EventSink;
  health?: Health;
  metrics?: MetricsEndpoint;
  requestLog: RequestLog;
  log: Logger;
  bodyLimitBytes?: number;
}

/** Set on `res.locals` by each handler so the request log can say why. */
interface Locals {
  arrivedAt: number;
  reason?: string;
}

const acceptedTypes = ['application/json', 'application/x-www-form-urlencoded'];

/** Epoch milliseconds with sub-millisecond precision. */
const preciseNow = (): number => performance.timeOrigin + performance.now();

/**
 * The webhook receiver: an express app that validates every request and hands TeleCMI events
 * to the pipeline. Every answer is JSON; nothing a client sends makes it throw.
 */
export function createReceiver({
  token,
  ingest,
  health = () => ({ ok: true }),
  metrics,
  requestLog,
  log,
  bodyLimitBytes = 64 * 1024,
}: ReceiverOptions) {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  const isToken = tokenMatcher(token);
  const mask = createTokenMasker(token);
  const bodyParsers: Record<string, RequestHandler> = {
    'application/json': express.json({ limit: bodyLimitBytes, type: () => true }),
    'application/x-www-form-urlencoded': express.urlencoded({ limit: bodyLimitBytes, extended: false, type: () => true }),
  };

  app.use((req, res, next) => {
    const locals = res.locals as Locals;
    locals.arrivedAt = preciseNow();
    res.on('finish', () => {
      requestLog.record({
        time: Math.round(locals.arrivedAt),
        method: req.method,
        path: mask(req.originalUrl),
        status: res.statusCode,
        reason: locals.reason,
        durationMs: preciseNow() - locals.arrivedAt,
      });
    });
    next();
  });

  /** Refuses what is not an authenticated GET or POST, then reads the body by its type. */
  const guard: RequestHandler = (req, res, next) => {
    if (req.method !== 'GET' && req.method !== 'POST') {
      res.set('Allow', 'GET, POST');
      return refuse(res, 405, `method ${req.method} not allowed: TeleCMI sends GET or POST`);
    }
    // Express parses the query string anew at each read of req.query: read it only when needed.
    const given = req.params.token ?? (req.query as Record<string, unknown>).token;
    if (given === undefined) return refuse(res, 401, 'missing token: use /telecmi/<token> or ?token=<token>');
    if (typeof given !== 'string' || !isToken(given)) return refuse(res, 401, 'invalid token');
    if (req.method === 'GET') return next();
    const type = checkContentType(req, res);
    if (type) bodyParsers[type]?.(req, res, next);
  };

  const handleEvent: RequestHandler = (req, res) => {
    const payload = req.method === 'POST' ? req.body : withoutToken(req.query as Record<string, unknown>);
    const parsed = parseTelecmiEvent(payload, (res.locals as Locals).arrivedAt);
    if (!parsed.ok) return refuse(res, 400, parsed.reason);
    const answer = (outcome: string): void => {
      (res.locals as Locals).reason = outcome;
      res.json(outcome === 'duplicate' ? { ok: true, duplicate: true } : { ok: true });
    };
    const outcome = ingest(parsed.event);
    // The pipeline answers at once; only a publisher makes the answer wait.
    if (typeof outcome === 'string') return answer(outcome);
    outcome.then(answer, (error: unknown) => {
      if (error instanceof EventRefused) return refuse(res, error.status, error.message);
      log.error('an accepted event could not be kept', { error: errorMessage(error) });
      refuse(res, 503, `the event could not be kept: ${errorMessage(error)}`);
    });
  };

  app.all(['/telecmi/:token', '/telecmi'], guard, handleEvent);

  app.get('/healthz', (_req, res) => {
    const now = health();
    res.status(now.ok ? 200 : 503).json(now);
  });

  // Agent ids and call volumes: only with the webhook's token (a tunnel forwards every path), as a
  // bearer token (Prometheus' `authorization: credentials_file`) or `?token=`.
  if (metrics) {
    app.get('/metrics', (req, res, next) => {
      const bearer = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '')?.[1];
      const given = bearer ?? (req.query as Record<string, unknown>).token;
      if (typeof given !== 'string' || !isToken(given))
        return refuse(res, 401, 'missing or invalid token: send it as "Authorization: Bearer <token>"');
      void metrics.text().then((body) => res.type(metrics.contentType).send(body), next);
    });
  }

  app.use((req, res) => {
    refuse(res, 404, `no such endpoint: ${req.method} ${mask(req.path)}`);
  });

  app.use(errorHandler(log, mask));
  return app;
}

/** The accepted type of a POST body, or undefined once the request has been refused. */
function checkContentType(req: Request, res: Response): string | undefined {
  if (!req.headers['content-type']) {
    const hasBody = Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined;
    return void (hasBody
      ? refuse(res, 415, 'missing Content-Type: send application/json or application/x-www-form-urlencoded')
      : refuse(res, 400, 'empty request body: send the TeleCMI event as JSON'));
  }
  const type = req.is(acceptedTypes);
  // body-parser would decode UTF-16 or UTF-32 JSON as it is told, and then call it invalid JSON.
  const charset = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(req.headers['content-type'])?.[1];
  if (type && charset && charset.toLowerCase() !== 'utf-8') return void refuse(res, 415, `unsupported charset "${charset}": send UTF-8`);
  if (type) return type;
  refuse(res, 415, `unsupported Content-Type "${req.headers['content-type']}": send application/json or application/x-www-form-urlencoded`);
}

export function refuse(res: Response, status: number, reason: string): void {
  (res.locals as Locals).reason = reason;
  res.status(status).json({ ok: false, error: reason });
}

function withoutToken(query: Record<string, unknown>): Record<string, unknown> {
  const { token: _token, ...fields } = query;
  return fields;
}

/** Constant time over the token's content; its length is no secret (generated tokens share one). */
function tokenMatcher(expected: string): (candidate: string) => boolean {
  const expectedBytes = Buffer.from(expected);
  return (candidate) => {
    const candidateBytes = Buffer.from(candidate);
    return candidateBytes.length === expectedBytes.length && timingSafeEqual(candidateBytes, expectedBytes);
  };
}

/** body-parser's error types, mapped to what the client did wrong. */
const bodyErrors: Record<string, [number, string]> = {
  'entity.too.large': [413, 'request body too large'],
  'entity.parse.failed': [400, 'request body is not valid JSON'],
  'encoding.unsupported': [415, 'unsupported Content-Encoding'],
  'charset.unsupported': [415, 'unsupported charset: send UTF-8'],
  'request.aborted': [400, 'request aborted by the client'],
  'request.size.invalid': [400, 'request body shorter or longer than its Content-Length'],
  'parameters.too.many': [413, 'too many form fields'],
};

function errorHandler(log: Logger, mask: (target: string) => string): ErrorRequestHandler {
  return (error: { type?: string; limit?: number; status?: number }, req, res, _next) => {
    const known = error.type === undefined ? undefined : bodyErrors[error.type];
    if (known) {
      const [status, reason] = known;
      const detail = status === 413 && error.limit ? ` (limit ${error.limit} bytes)` : '';
      return refuse(res, status, reason + detail);
    }
    // Express's own client errors, such as a path whose percent-encoding does not decode.
    if (error.status !== undefined && error.status >= 400 && error.status < 500) {
      return refuse(res, error.status, error.status === 400 ? 'malformed request URL' : `request refused (${error.status})`);
    }
    log.error('receiver failed on a request', { path: mask(req.originalUrl), error: mask(String(error)) });
    if (!res.headersSent) refuse(res, 500, 'internal error');
  };
}

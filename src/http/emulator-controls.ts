/**
 * Emulator-mode test controls over the Open API: a log of the latest requests (secrets redacted, bodies
 * kept safely: see redaction.ts), fault rules that answer chosen requests with a chosen error (or
 * delay them) before shenpi looks at them, and reset. `/_shenpi/*` and `startShenpi()` both use them.
 */
import type { FastifyInstance } from 'fastify';
import Type, { type Static } from 'typebox';
import { Compile } from 'typebox/compile';
import { FEISHU_ERRORS, type FeishuCode } from '../domain/errors.js';
import type { EmulatorService } from '../services/emulator-service.js';
import { errorEnvelope } from './feishu-envelope.js';
import { keepSafely } from './redaction.js';

export const FaultRuleBody = Type.Object(
  {
    method: Type.Optional(Type.String({ minLength: 1 })),
    /** An exact path, or a prefix ending in `*`; the query string is not part of it. */
    path: Type.String({ minLength: 1 }),
    code: Type.Optional(Type.Integer()),
    msg: Type.Optional(Type.String()),
    http_status: Type.Optional(Type.Integer({ minimum: 200, maximum: 599 })),
    /** How many requests the rule answers before it retires; unlimited when absent. */
    times: Type.Optional(Type.Integer({ minimum: 1 })),
    delay_ms: Type.Optional(Type.Integer({ minimum: 0, maximum: 60_000 })),
  },
  { additionalProperties: false },
);
export type FaultRuleInput = Static<typeof FaultRuleBody>;
export type FaultRule = FaultRuleInput & { id: number; fired: number };

const faultRule = Compile(FaultRuleBody);

/** Which logged requests to list: the method (any case), the path (exact, or a prefix ending in `*`), the answer's Feishu code and HTTP status. */
export const RequestFilterQuery = Type.Object(
  {
    method: Type.Optional(Type.String({ minLength: 1 })),
    path: Type.Optional(Type.String({ minLength: 1 })),
    code: Type.Optional(Type.Integer()),
    status: Type.Optional(Type.Integer()),
  },
  { additionalProperties: false },
);
export type RequestFilter = Static<typeof RequestFilterQuery>;

/** A fault rule's or a filter's path: exact, or a prefix ending in `*`. */
const pathMatches = (pattern: string, path: string): boolean =>
  pattern.endsWith('*') ? path.startsWith(pattern.slice(0, -1)) : path === pattern;

export interface RequestRecord {
  time: number;
  method: string;
  path: string;
  query: unknown;
  body: unknown;
  /** Part of the body or query was cut to keep the entry small (marked `[cut: ...]` where it was). */
  body_truncated: boolean;
  status: number;
  code: number | undefined;
  log_id: string;
}

const LOG_SIZE = 500;

export class EmulatorControls {
  readonly requests: RequestRecord[] = [];
  faults: FaultRule[] = [];
  private nextId = 1;

  /** `reload`: what a reset loads again after wiping the data (the start clock and fixture). */
  constructor(
    private readonly emulator: EmulatorService,
    private readonly reload?: () => Promise<void>,
  ) {}

  /** Throws a TypeError naming the first problem when `rule` is not a fault rule. */
  addFault(rule: FaultRuleInput): FaultRule {
    if (!faultRule.Check(rule)) {
      const [first] = faultRule.Errors(rule);
      throw new TypeError(`not a fault rule: ${first ? `${first.instancePath || '(rule)'} ${first.message}` : 'unknown problem'}`);
    }
    const fault = { ...rule, id: this.nextId++, fired: 0 };
    this.faults.push(fault);
    return fault;
  }

  /** The logged requests `filter` names, oldest first. */
  listRequests(filter: RequestFilter = {}): RequestRecord[] {
    return this.requests.filter(
      (r) =>
        (!filter.method || filter.method.toUpperCase() === r.method) &&
        (!filter.path || pathMatches(filter.path, r.path)) &&
        (filter.code === undefined || filter.code === r.code) &&
        (filter.status === undefined || filter.status === r.status),
    );
  }

  /** Empties the request log and the fault rules, deletes all data, starts the ids over, loads the start data again. */
  async reset(): Promise<void> {
    this.requests.length = 0;
    this.faults = [];
    await this.emulator.reset();
    await this.reload?.();
  }

  private matching(method: string, path: string): FaultRule | undefined {
    return this.faults.find((f) => (!f.method || f.method.toUpperCase() === method) && pathMatches(f.path, path));
  }

  /** Installs the hooks on the Open API routes (everything under /open-apis/). */
  install(app: FastifyInstance, now: () => number): void {
    app.addHook('onRequest', async (request, reply) => {
      const path = request.url.split('?')[0] ?? '';
      if (!path.startsWith('/open-apis/')) return;
      const fault = this.matching(request.method, path);
      if (!fault) return;
      fault.fired += 1;
      if (fault.times !== undefined && fault.fired >= fault.times) this.faults = this.faults.filter((f) => f !== fault);
      if (fault.delay_ms) await new Promise((resolve) => setTimeout(resolve, fault.delay_ms));
      if (fault.code === undefined) return;
      const known = FEISHU_ERRORS[fault.code as FeishuCode] as { msg: string; http: number } | undefined;
      const reason = `fault rule ${fault.id} of /_shenpi/faults`;
      return reply
        .code(fault.http_status ?? known?.http ?? 400)
        .send(errorEnvelope(fault.code, fault.msg ?? known?.msg ?? 'injected fault', reason, request.id));
    });

    // Logged as the answer goes out (after the Feishu code is read), so the entry is there before the client has the answer.
    app.addHook('onSend', async (request, reply, payload) => {
      const [path = '', query = ''] = request.url.split('?');
      if (!path.startsWith('/open-apis/')) return payload;
      const kept = { query: keepSafely(Object.fromEntries(new URLSearchParams(query))), body: keepSafely(request.body ?? null) };
      this.requests.push({
        time: now(),
        method: request.method,
        path,
        query: kept.query.value,
        body: kept.body.value,
        body_truncated: kept.query.truncated || kept.body.truncated,
        status: reply.statusCode,
        code: reply.feishuCode,
        log_id: request.id,
      });
      if (this.requests.length > LOG_SIZE) this.requests.splice(0, this.requests.length - LOG_SIZE);
      return payload;
    });
  }
}

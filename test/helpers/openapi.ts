/** Reading the OpenAPI document in tests: its operations, its schemas, and real answers checked against them. */
import assert from 'node:assert/strict';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import { call, type Answer, type CallOptions } from './http.js';

export interface Operation {
  parameters?: { name: string; in: string; required: boolean; schema: object }[];
  requestBody?: { content: Record<string, { schema: object }> };
  responses: Record<string, { content?: Record<string, { schema: object }> }>;
  security?: Record<string, string[]>[];
  operationId?: string;
}

export interface OpenApiDocument {
  openapi: string;
  info: { version: string };
  servers?: { url: string }[];
  paths: Record<string, Record<string, Operation>>;
}

/** Every operation as `METHOD /path/{param}`. */
export const operationsOf = (doc: OpenApiDocument): string[] =>
  Object.entries(doc.paths).flatMap(([path, item]) => Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`));

/** Every schema the document holds: parameters, request bodies and responses, each named by where it is. */
export function schemasOf(doc: OpenApiDocument): [string, object][] {
  return Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.entries(item).flatMap(([method, op]) => {
      const at = `${method.toUpperCase()} ${path}`;
      return [
        ...(op.parameters ?? []).map((p): [string, object] => [`${at} ${p.in} ${p.name}`, p.schema]),
        ...Object.values(op.requestBody?.content ?? {}).map((c): [string, object] => [`${at} body`, c.schema]),
        ...Object.entries(op.responses).flatMap(([status, r]) =>
          Object.values(r.content ?? {}).map((c): [string, object] => [`${at} ${status}`, c.schema]),
        ),
      ];
    }),
  );
}

/** JSON Schema 2020-12 in Ajv's strict mode: an unknown keyword (a custom one leaking out) does not compile. */
export const strictAjv = () => new Ajv2020({ strict: true, allErrors: true });

/** A copy in which every object schema with properties allows no other property. */
function closed(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(closed);
  if (typeof schema !== 'object' || schema === null) return schema;
  const copy = Object.fromEntries(Object.entries(schema).map(([key, value]) => [key, closed(value)]));
  return 'properties' in copy && !('additionalProperties' in copy) ? { ...copy, additionalProperties: false } : copy;
}

/**
 * Checks real answers against the document: each must match its operation's response schema for its
 * status, with no field the schema does not name. Remembers which operations answered 200.
 */
export class AnswerChecker {
  readonly succeeded = new Set<string>();
  private readonly ajv = strictAjv();
  private readonly compiled = new Map<string, ValidateFunction>();
  private readonly routes: { method: string; template: string; pattern: RegExp; literal: number }[];

  constructor(private readonly doc: OpenApiDocument) {
    this.routes = Object.entries(doc.paths)
      .flatMap(([template, item]) => Object.keys(item).map((method) => ({ method: method.toUpperCase(), template })))
      .map((r) => ({
        ...r,
        pattern: new RegExp(`^${r.template.replace(/\{[^}]+\}/g, '[^/]+')}$`),
        literal: r.template.replace(/\{[^}]+\}/g, '').length,
      }))
      // A literal segment wins over a parameter (`/instances/query` before `/instances/{instance_id}`).
      .sort((a, b) => b.literal - a.literal);
  }

  /** The answer of `options` on `path`, checked. */
  async call(baseUrl: string, path: string, options: CallOptions = {}): Promise<Answer> {
    const answer = await call(baseUrl, path, options);
    const method = options.method ?? (options.json === undefined && options.raw === undefined ? 'GET' : 'POST');
    this.check(method, path.split('?')[0] ?? path, answer);
    return answer;
  }

  private check(method: string, path: string, answer: Answer): void {
    const route = this.routes.find((r) => r.method === method && r.pattern.test(path));
    assert.ok(route, `${method} ${path} is not in the document`);
    const op = `${method} ${route.template}`;
    const status = answer.status === 200 ? '200' : `${String(answer.status)[0]}XX`;
    const schema = this.doc.paths[route.template]?.[method.toLowerCase()]?.responses[status]?.content?.['application/json']?.schema;
    assert.ok(schema, `${op} documents no ${status} answer, yet answered ${answer.status}: ${answer.text}`);
    assert.ok(answer.headers.get('x-tt-logid'), `${op}: X-Tt-Logid`);
    const key = `${op} ${status}`;
    let validate = this.compiled.get(key);
    if (!validate) this.compiled.set(key, (validate = this.ajv.compile(closed(schema) as object)));
    const succeeded = answer.status === 200 && answer.body.code === 0;
    assert.ok(validate(answer.body), `${key}: ${this.ajv.errorsText(validate.errors)}\n${answer.text}`);
    if (succeeded) this.succeeded.add(op);
  }
}

/**
 * Request validation. Bodies are checked strictly, never coerced (`"true"` is not a boolean); query strings
 * and path parameters arrive as text, so they are coerced to the declared number or boolean types.
 */
import { Ajv, type ErrorObject, type Options } from 'ajv';
import type { FastifySchemaCompiler } from 'fastify';
import { jsonPath } from '../util/json-path.js';

const common: Options = { useDefaults: true, removeAdditional: false, allErrors: false, strict: false };
const strictAjv = new Ajv({ ...common, coerceTypes: false });
const coercingAjv = new Ajv({ ...common, coerceTypes: 'array' });

export const validatorCompiler: FastifySchemaCompiler<object> = ({ schema, httpPart }) =>
  (httpPart === 'body' ? strictAjv : coercingAjv).compile(schema);

/** A plain-English reason naming the field, e.g. `user_id is required (body)`, `page_size must be integer (query)`. */
export function validationReason(errors: ErrorObject[], context: string | undefined): string {
  const where = context === 'querystring' ? 'query' : (context ?? 'request');
  const first = errors[0];
  if (!first) return `the ${where} is invalid`;
  const path = jsonPath(first.instancePath);
  if (first.keyword === 'required') {
    const missing = (first.params as { missingProperty: string }).missingProperty;
    return `${path ? `${path}.` : ''}${missing} is required (${where})`;
  }
  if (first.keyword === 'enum') {
    const allowed = (first.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v));
    return `${path || where} must be one of ${allowed.join(', ')} (${where})`;
  }
  return `${path || `the ${where}`} ${first.message ?? 'is invalid'} (${where})`;
}

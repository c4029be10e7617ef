/**
 * Request validation. Bodies are checked strictly, never coerced (`"true"` is not a boolean); query strings
 * and path parameters arrive as text, so they are coerced to the declared number or boolean types, and a
 * query boolean is read in any case (the Python SDK writes `True`). The one coercion in bodies is the
 * `intOrString` keyword (src/wire/approval-requests.ts): an integer becomes the string of its digits.
 */
import { Ajv, type ErrorObject, type FuncKeywordDefinition, type Options, type ValidateFunction } from 'ajv';
import type { FastifySchemaCompiler } from 'fastify';
import { jsonPath } from '../util/json-path.js';

/**
 * `{intOrString: {pattern?}}`: a field one official SDK sends as a string and another as an integer. A
 * non-negative integer is replaced by its decimal string, so the route and the services see one type.
 */
type DataCheck = ReturnType<NonNullable<FuncKeywordDefinition['compile']>>;
const intOrString: FuncKeywordDefinition = {
  keyword: 'intOrString',
  modifying: true,
  errors: true,
  compile(schema: { pattern?: string }): DataCheck {
    const pattern = schema.pattern === undefined ? undefined : new RegExp(schema.pattern);
    const message = `must be a non-negative integer or ${pattern ? `a string matching ${schema.pattern}` : 'a string'}`;
    const check: DataCheck = (data, context) => {
      const text = typeof data === 'number' && Number.isSafeInteger(data) && data >= 0 ? String(data) : data;
      if (typeof text !== 'string' || (pattern && !pattern.test(text))) {
        check.errors = [{ keyword: 'intOrString', message, params: {} }];
        return false;
      }
      if (text !== data && context) context.parentData[context.parentDataProperty] = text;
      return true;
    };
    return check;
  },
};

const common: Options = {
  useDefaults: true,
  removeAdditional: false,
  allErrors: false,
  strict: false,
  keywords: [intOrString],
};
const strictAjv = new Ajv({ ...common, coerceTypes: false });
const coercingAjv = new Ajv({ ...common, coerceTypes: 'array' });

/** The query's boolean parameters (top-level properties typed boolean). */
function booleanParams(schema: object): string[] {
  const properties = (schema as { properties?: Record<string, { type?: unknown }> }).properties ?? {};
  return Object.keys(properties).filter((name) => properties[name]?.type === 'boolean');
}

type Validate = ((data: unknown) => boolean) & { errors?: ValidateFunction['errors'] };

/**
 * Compiles the route's validator at its first request: compiling every route's at start-up took a third of
 * `shenpi serve`'s start, and most processes (a test's emulator, a CLI run) call a few routes only.
 */
function compiledOnFirstUse(compile: () => ValidateFunction): Validate {
  let validate: ValidateFunction | undefined;
  const check = (data: unknown) => (validate ??= compile())(data);
  return Object.defineProperty(check, 'errors', { get: () => validate?.errors });
}

/** Lower-cases `True` / `FALSE` in the boolean parameters before the coercing validator reads them. */
function caseInsensitiveBooleans(validate: Validate, names: string[]) {
  const wrapped = (query: Record<string, unknown> | null) => {
    for (const name of names) {
      const value = query?.[name];
      if (typeof value === 'string' && /^(true|false)$/i.test(value)) query![name] = value.toLowerCase();
    }
    return validate(query);
  };
  return Object.defineProperty(wrapped, 'errors', { get: () => validate.errors });
}

export const validatorCompiler: FastifySchemaCompiler<object> = ({ schema, httpPart }) => {
  if (httpPart === 'body') return compiledOnFirstUse(() => strictAjv.compile(schema));
  const validate = compiledOnFirstUse(() => coercingAjv.compile(schema));
  const booleans = httpPart === 'querystring' ? booleanParams(schema) : [];
  return booleans.length ? caseInsensitiveBooleans(validate, booleans) : validate;
};

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


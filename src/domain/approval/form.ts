/**
 * The values a submitter fills in (instance create `form`, approval-v4.md §2.5), checked against the
 * definition's widgets: known ids, matching types, required values present, value shapes by type.
 */
import { ok, refuse, type Result } from '../errors.js';
import { isRecord, type Widget } from './widgets.js';

export interface FormValue {
  id: string;
  type: string;
  value: unknown;
}

const invalid = (reason: string) => refuse(1390001, reason);

const STRING_TYPES = new Set(['input', 'textarea', 'text', 'telephone', 'serialNumber', 'date']);
const NUMBER_TYPES = new Set(['number', 'amount', 'formula']);

export function validateForm(widgets: readonly Widget[], form: string): Result<FormValue[]> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(form);
  } catch {
    return invalid('form is not valid JSON');
  }
  if (!Array.isArray(parsed)) return invalid('form must be a JSON array of {id, type, value}');

  const byId = new Map(widgets.map((w) => [w.id, w]));
  const values: FormValue[] = [];
  const given = new Set<string>();
  for (const [i, item] of parsed.entries()) {
    if (!isRecord(item)) return invalid(`form[${i}] must be an object`);
    const { id, type, value } = item;
    if (typeof id !== 'string') return invalid(`form[${i}].id must be a string`);
    if (typeof type !== 'string') return invalid(`form[${i}].type must be a string`);
    const widget = byId.get(id);
    if (!widget) return invalid(`form widget "${id}" is not a widget of this approval`);
    if (widget.type !== type) {
      return invalid(`form widget "${id}" has type "${type}" but the approval defines it as "${widget.type}"`);
    }
    if (given.has(id)) return invalid(`form widget "${id}" is given more than once`);
    given.add(id);
    if (isEmpty(value)) {
      if (widget.required) return invalid(`form widget "${id}" (${type}) is required`);
    } else {
      const wrong = checkValue(widget, value);
      if (wrong) return invalid(`form widget "${id}" (${type}) ${wrong}`);
    }
    values.push({ id, type, value });
  }

  const absent = widgets.find((w) => w.required && !given.has(w.id));
  if (absent) return invalid(`form widget "${absent.id}" (${absent.type}) is required`);
  return ok(values);
}

/** An empty value counts as not filled in: required widgets refuse it, optional ones skip the type check. */
const isEmpty = (value: unknown): boolean =>
  value === undefined || value === null || value === '' || (Array.isArray(value) && value.length === 0);

/** Why `value` does not fit the widget, or undefined when it fits. */
function checkValue(widget: Widget, value: unknown): string | undefined {
  const { type } = widget;
  if (STRING_TYPES.has(type)) return typeof value === 'string' ? undefined : 'needs a string value';
  if (NUMBER_TYPES.has(type)) return isNumeric(value) ? undefined : 'needs a number or a numeric string';
  switch (type) {
    case 'dateInterval':
      return isRecord(value) && typeof value['start'] === 'string' && typeof value['end'] === 'string'
        ? undefined
        : 'needs an object {start, end} of date strings';
    case 'radio':
    case 'radioV2':
      if (typeof value !== 'string') return 'needs a string value (an option value)';
      return notAnOption(widget, [value]);
    case 'checkboxV2':
      if (!isStringArray(value)) return 'needs an array of strings (option values)';
      return notAnOption(widget, value);
    case 'contact':
      return isStringArray(value) ? undefined : 'needs an array of user id strings';
    default:
      // Attachments, groups, departments, ...: shapes Feishu documents loosely; kept as given.
      return undefined;
  }
}

function notAnOption(widget: Widget, chosen: readonly string[]): string | undefined {
  const options = widget.options;
  if (!options || options.length === 0) return undefined;
  const bad = chosen.find((v) => !options.some((o) => o.value === v));
  return bad === undefined
    ? undefined
    : `has "${bad}", which is not one of its options (${options.map((o) => o.value).join(', ')})`;
}

const isNumeric = (value: unknown): boolean =>
  (typeof value === 'number' && Number.isFinite(value)) ||
  (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value)));

const isStringArray = (value: unknown): value is string[] =>
  Array.isArray(value) && value.every((v) => typeof v === 'string');

/**
 * Form widgets of a definition: `form.form_content` is a JSON string of widget objects
 * (approval-v4.md §2.5). Each widget is kept whole in `raw`, so that GET answers what was given.
 */
import { ok, refuse, type Result } from '../errors.js';

export interface WidgetOption {
  value: string;
  text: string;
}

export interface Widget {
  id: string;
  type: string;
  /** An i18n key, or plain text; '' when not given. */
  name: string;
  required: boolean;
  /** The choices of a radio or checkbox widget, when the definition lists them. */
  options?: WidgetOption[];
  raw: Record<string, unknown>;
}

const invalid = (reason: string) => refuse(1390001, reason);

export const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export function parseWidgets(formContent: string): Result<Widget[]> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(formContent);
  } catch {
    return invalid('form.form_content is not valid JSON');
  }
  if (!Array.isArray(parsed)) return invalid('form.form_content must be a JSON array of widgets');

  const widgets: Widget[] = [];
  const seen = new Set<string>();
  for (const [i, raw] of parsed.entries()) {
    const at = `form.form_content[${i}]`;
    if (!isRecord(raw)) return invalid(`${at} must be an object`);
    const { id, type, name } = raw;
    if (typeof id !== 'string' || id === '') return invalid(`${at}.id must be a non-empty string`);
    if (typeof type !== 'string' || type === '') return invalid(`${at}.type must be a non-empty string`);
    if (name !== undefined && typeof name !== 'string') return invalid(`${at}.name must be a string`);
    if (seen.has(id)) return invalid(`${at}.id "${id}" is used by another widget`);
    seen.add(id);
    const options = readOptions(raw);
    widgets.push({
      id,
      type,
      name: name ?? '',
      required: raw['required'] === true,
      ...(options ? { options } : {}),
      raw,
    });
  }
  return ok(widgets);
}

/**
 * Choices appear as `option` / `options` (`{value, text}`, the GET shape) or, in create bodies,
 * as `value` (`{key, text}`); whichever is present and well formed is used.
 */
function readOptions(raw: Record<string, unknown>): WidgetOption[] | undefined {
  for (const field of ['option', 'options', 'value']) {
    const list = raw[field];
    if (!Array.isArray(list) || list.length === 0) continue;
    const options: WidgetOption[] = [];
    for (const item of list) {
      if (!isRecord(item)) return undefined;
      const value = item['value'] ?? item['key'];
      const text = item['text'] ?? '';
      if (typeof value !== 'string' || typeof text !== 'string') return undefined;
      options.push({ value, text });
    }
    return options;
  }
  return undefined;
}

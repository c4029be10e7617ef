/**
 * Third-party (external) approval definitions (approval-v4.md §9, workflow-operations.md §6-§7): no
 * process runs in Feishu for them, it only shows their instances. A definition is named by the code the app
 * gives; creating one also makes a Feishu-style code, which create answers, and either code finds it.
 */
import { ok, refuse, type Result } from '../errors.js';
import { isI18nKey, parseI18n, parseViewers, type I18nResource, type Viewer } from './definition.js';

/** The `external` object as given: link, callback and switch fields, echoed by GET. */
export type ExternalSettings = Record<string, string | boolean>;

export interface ExternalDefinition {
  /** The code the app gave. */
  code: string;
  /** The code shenpi made at creation (upper-case UUID): what create answers. */
  generatedCode: string;
  id: string;
  /** i18n keys, as given (GET answers the keys, not their texts). */
  name: string;
  description: string;
  /** '' when in no group. */
  groupCode: string;
  external: ExternalSettings;
  /** Viewer user ids as tenant user_ids. */
  viewers: Viewer[];
  i18n: I18nResource[];
  /** Process admins, as tenant user_ids. */
  managers: string[];
}

/** The create body as the HTTP schema hands it over, user ids already turned into user_ids. */
export interface ExternalDefinitionInput {
  approval_name: string;
  approval_code: string;
  group_code?: string;
  group_name?: string;
  description?: string;
  external: Record<string, string | boolean>;
  viewers?: { viewer_type?: string; viewer_user_id?: string; viewer_department_id?: string }[];
  i18n_resources?: { locale: string; texts: { key: string; value: string }[]; is_default: boolean }[];
  managers?: string[];
}

/** A definition's group: a code the app chose and an i18n key naming it. */
export interface ExternalGroup {
  code: string;
  name: string;
}

export type ExternalDefinitionDraft = Omit<ExternalDefinition, 'generatedCode' | 'id' | 'groupCode'>;

/**
 * Checks a create body. `group` is the group `group_code` names, if it exists: a new group needs a
 * `group_name`, a known one is renamed by it. Answers the draft and the group to write, if any.
 */
export function parseExternalDefinition(
  body: ExternalDefinitionInput,
  group: ExternalGroup | undefined,
): Result<{ draft: ExternalDefinitionDraft; group: ExternalGroup | undefined }> {
  const invalid = (reason: string) => refuse(1390001, reason);
  if (body.external.support_pc !== true && body.external.support_mobile !== true) {
    return invalid('external.support_pc and external.support_mobile cannot both be false: the approval would show nowhere');
  }
  const viewers = parseViewers(body.viewers ?? []);
  if (!viewers.ok) return viewers;
  const i18n = body.i18n_resources ? parseI18n(body.i18n_resources) : ok([]);
  if (!i18n.ok) return i18n;

  let named: ExternalGroup | undefined;
  if (body.group_code) {
    const name = body.group_name || group?.name;
    if (!name) return invalid(`group_name is required: group_code "${body.group_code}" names no group yet`);
    named = { code: body.group_code, name };
  } else if (body.group_name) {
    return invalid('group_name needs a group_code');
  }

  const used: [string, string | undefined][] = [
    ['approval_name', body.approval_name],
    ['description', body.description],
    ['group_name', body.group_name],
    ['external.biz_name', typeof body.external.biz_name === 'string' ? body.external.biz_name : undefined],
  ];
  const missing = missingKey(i18n.value, used);
  if (missing) return invalid(missing);

  return ok({
    draft: {
      code: body.approval_code,
      name: body.approval_name,
      description: body.description ?? '',
      external: { ...body.external },
      viewers: viewers.value,
      i18n: i18n.value,
      managers: [...(body.managers ?? [])],
    },
    group: named,
  });
}

/** The reason for the first `@i18n@` key among `used` that the default locale has no text for, if any. */
export function missingKey(i18n: readonly I18nResource[], used: readonly [string, string | undefined][]): string | undefined {
  const fallback = i18n.find((r) => r.isDefault);
  for (const [where, key] of used) {
    if (key === undefined || !isI18nKey(key)) continue;
    if (!fallback) return `i18n key "${key}" used by ${where} needs i18n_resources with a default locale`;
    if (!Object.hasOwn(fallback.texts, key)) {
      return `i18n key "${key}" used by ${where} has no text in the default locale ${fallback.locale}`;
    }
  }
  return undefined;
}

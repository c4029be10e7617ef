/**
 * The approval definition: what a create-approval body (approval-v4.md §2.1) becomes once its
 * meaning has been checked. The HTTP schema has already checked the JSON types; this module checks
 * what a schema cannot say (START/END framing, approver rules, i18n keys, settings ranges).
 */
import { ok, refuse, type Result } from '../errors.js';
import { nodeIdFrom, type IdSource } from './ids.js';
import { parseWidgets, type Widget } from './widgets.js';

export type { Widget } from './widgets.js';

export type NodeType = 'AND' | 'OR' | 'SEQUENTIAL';
export type ApproverType =
  | 'Personal'
  | 'Free'
  | 'Supervisor'
  | 'SupervisorTopDown'
  | 'DepartmentManager'
  | 'DepartmentManagerTopDown';

export const NODE_TYPES: readonly NodeType[] = ['AND', 'OR', 'SEQUENTIAL'];
export const APPROVER_TYPES: readonly ApproverType[] = [
  'Personal',
  'Free',
  'Supervisor',
  'SupervisorTopDown',
  'DepartmentManager',
  'DepartmentManagerTopDown',
];

export interface ApproverRule {
  type: ApproverType;
  userId?: string;
  /** Steps up the leader or department chain; only meaningful for the four leader types. */
  level: number;
}

export interface ChosenRange {
  type: string;
  idList: string[];
}

/** One approval node. START and END frame every route and are not stored. */
export interface NodeDefinition {
  /** System id (Feishu's `node_id`). */
  nodeId: string;
  /** The `id` the client gave in `node_list` (Feishu's `custom_node_id`). */
  customNodeId: string;
  /** An i18n key, or plain text. */
  name: string;
  nodeType: NodeType;
  approvers: ApproverRule[];
  ccers: ApproverRule[];
  requireSignature: boolean;
  approverChosenMulti: boolean;
  /** The submitter must pick approvers: the node has a Free approver. */
  needApprover: boolean;
  approverChosenRange?: ChosenRange[];
  privilegeField?: { writable: string[]; readable: string[] };
}

export interface RevokeSettings {
  /** 1 = requests still under approval may be withdrawn. */
  revertOption: 0 | 1;
  /** Seconds after approval during which a withdrawal is allowed; 0 = never. */
  revertInterval: number;
}

export interface DefinitionSettings extends RevokeSettings {
  rejectOption: number;
  quickApprovalOption: number;
}

export const DEFAULT_SETTINGS: Readonly<DefinitionSettings> = {
  revertOption: 1,
  revertInterval: 2678400,
  rejectOption: 0,
  quickApprovalOption: 1,
};

export interface I18nResource {
  locale: string;
  isDefault: boolean;
  texts: Record<string, string>;
}

export interface Viewer {
  type: string;
  userId?: string;
  departmentId?: string;
}

export interface DefinitionDraft {
  /** An i18n key, or plain text. */
  name: string;
  description: string;
  form: Widget[];
  /** `form.form_content` exactly as given, so that GET can answer it unchanged. */
  formContent: string;
  widgetRelation: string;
  nodes: NodeDefinition[];
  settings: DefinitionSettings;
  config: Record<string, unknown>;
  viewers: Viewer[];
  i18n: I18nResource[];
  icon: number;
  processManagerIds: string[];
}

export type ApprovalDefinition = DefinitionDraft & {
  code: string;
  id: string;
  status: 'ACTIVE' | 'INACTIVE' | 'DELETED';
};

// ---- the create body, as the HTTP schema hands it over (snake_case, §2.1) ----

export interface ApproverInput {
  type: string;
  user_id?: string;
  level?: string | number;
}

export interface NodeInput {
  id: string;
  name?: string;
  node_type?: string;
  approver?: ApproverInput[];
  ccer?: ApproverInput[];
  require_signature?: boolean;
  approver_chosen_multi?: boolean;
  privilege_field?: { writable?: string[]; readable?: string[] };
  approver_chosen_range?: { type?: string; id_list?: string[] }[];
  starter_assignee?: string;
}

export interface DefinitionInput {
  approval_name: string;
  approval_code?: string;
  description?: string;
  viewers: { viewer_type?: string; viewer_user_id?: string; viewer_department_id?: string }[];
  form: { form_content: string; widget_relation?: string };
  node_list: NodeInput[];
  settings?: {
    revert_interval?: number;
    revert_option?: number;
    reject_option?: number;
    quick_approval_option?: number;
    [other: string]: unknown;
  };
  config?: Record<string, unknown>;
  icon?: number;
  i18n_resources: { locale: string; texts: { key: string; value: string }[]; is_default: boolean }[];
  process_manager_ids?: string[];
}

const I18N_PREFIX = '@i18n@';
const VIEWER_TYPES = ['TENANT', 'DEPARTMENT', 'USER', 'NONE'];

export const isI18nKey = (text: string): boolean => text.startsWith(I18N_PREFIX);

const invalid = (reason: string) => refuse(1390001, reason);

/** Checks a create-approval body and turns it into a definition (without code, id and status). */
export function parseDefinition(body: DefinitionInput, ids: IdSource): Result<DefinitionDraft> {
  const viewers = parseViewers(body.viewers);
  if (!viewers.ok) return viewers;
  const form = parseWidgets(body.form.form_content);
  if (!form.ok) return form;
  const nodes = parseNodes(body.node_list);
  if (!nodes.ok) return nodes;
  const settings = parseSettings(body.settings ?? {});
  if (!settings.ok) return settings;
  const icon = body.icon ?? 0;
  if (!Number.isInteger(icon) || icon < 0 || icon > 24) return invalid('icon must be an integer from 0 to 24');
  const i18n = parseI18n(body.i18n_resources);
  if (!i18n.ok) return i18n;

  const draft: DefinitionDraft = {
    name: body.approval_name,
    description: body.description ?? '',
    form: form.value,
    formContent: body.form.form_content,
    widgetRelation: body.form.widget_relation ?? '',
    // Ids are drawn only once the body is known to be good, one per node in order.
    nodes: nodes.value.map((node) => ({ ...node, nodeId: nodeIdFrom(ids.next()) })),
    settings: settings.value,
    config: { ...(body.config ?? {}) },
    viewers: viewers.value,
    i18n: i18n.value,
    icon,
    processManagerIds: [...(body.process_manager_ids ?? [])],
  };
  const missing = missingI18nKey(draft);
  if (missing) return invalid(missing);
  return ok(draft);
}

/**
 * The text of an `@i18n@` key in `locale` (the default locale when not given or not present);
 * the key itself when it is plain text or has no text anywhere.
 */
export function resolveText(i18n: readonly I18nResource[], key: string, locale?: string): string {
  if (!isI18nKey(key)) return key;
  const fallback = i18n.find((r) => r.isDefault) ?? i18n[0];
  const wanted = (locale === undefined ? undefined : i18n.find((r) => r.locale === locale)) ?? fallback;
  return wanted?.texts[key] ?? fallback?.texts[key] ?? key;
}

/** resolveText over several sets of texts, in order: the first set that knows the key answers. */
export function resolveTextIn(sets: readonly (readonly I18nResource[])[], key: string, locale?: string): string {
  for (const i18n of sets) {
    const text = resolveText(i18n, key, locale);
    if (text !== key) return text;
  }
  return key;
}

/** `viewers[]` of a definition, native or external: a type, and the id that type needs. */
export function parseViewers(input: DefinitionInput['viewers']): Result<Viewer[]> {
  const viewers: Viewer[] = [];
  for (const [i, v] of input.entries()) {
    // A viewer without a type is read as the whole tenant, the console's default.
    const type = v.viewer_type ?? 'TENANT';
    if (!VIEWER_TYPES.includes(type)) {
      return invalid(`viewers[${i}].viewer_type must be TENANT, DEPARTMENT, USER or NONE`);
    }
    if (type === 'USER' && !v.viewer_user_id) return invalid(`viewers[${i}].viewer_user_id is required for USER`);
    if (type === 'DEPARTMENT' && !v.viewer_department_id) {
      return invalid(`viewers[${i}].viewer_department_id is required for DEPARTMENT`);
    }
    viewers.push({
      type,
      ...(v.viewer_user_id ? { userId: v.viewer_user_id } : {}),
      ...(v.viewer_department_id ? { departmentId: v.viewer_department_id } : {}),
    });
  }
  return ok(viewers);
}

type UnidentifiedNode = Omit<NodeDefinition, 'nodeId'>;

function parseNodes(list: NodeInput[]): Result<UnidentifiedNode[]> {
  const last = list.length - 1;
  if (list.length < 3) {
    return invalid('node_list must start with START, end with END and hold at least one approval node between them');
  }
  if (list[0]?.id !== 'START') return invalid('node_list[0].id must be START');
  if (list[last]?.id !== 'END') return invalid(`node_list[${last}].id must be END`);

  const nodes: UnidentifiedNode[] = [];
  const seen = new Set<string>();
  for (let i = 1; i < last; i++) {
    const input = list[i];
    if (input === undefined) continue;
    const at = `node_list[${i}]`;
    if (input.id === '') return invalid(`${at}.id must not be empty`);
    if (input.id === 'START' || input.id === 'END') {
      return invalid(`${at}.id ${input.id} may only open or close the list`);
    }
    if (seen.has(input.id)) return invalid(`${at}.id "${input.id}" is used by another node`);
    seen.add(input.id);
    const node = parseNode(input, at);
    if (!node.ok) return node;
    nodes.push(node.value);
  }
  return ok(nodes);
}

function parseNode(input: NodeInput, at: string): Result<UnidentifiedNode> {
  const nodeType = input.node_type ?? 'AND';
  if (!isNodeType(nodeType)) return invalid(`${at}.node_type must be AND, OR or SEQUENTIAL`);
  const approverInputs = input.approver ?? [];
  if (approverInputs.length === 0) return invalid(`${at}.approver must name at least one approver`);

  const approvers: ApproverRule[] = [];
  for (const [j, a] of approverInputs.entries()) {
    const rule = parseRule(a, `${at}.approver[${j}]`);
    if (!rule.ok) return rule;
    // Feishu: the order of a SEQUENTIAL node is the submitter's pick, so only Free approvers make sense.
    if (nodeType === 'SEQUENTIAL' && rule.value.type !== 'Free') {
      return invalid(`${at}.approver[${j}].type must be Free on a SEQUENTIAL node`);
    }
    approvers.push(rule.value);
  }
  const ccers: ApproverRule[] = [];
  for (const [j, c] of (input.ccer ?? []).entries()) {
    const rule = parseRule(c, `${at}.ccer[${j}]`);
    if (!rule.ok) return rule;
    if (rule.value.type === 'Free') return invalid(`${at}.ccer[${j}].type may not be Free`);
    ccers.push(rule.value);
  }

  return ok({
    customNodeId: input.id,
    name: input.name ?? '',
    nodeType,
    approvers,
    ccers,
    requireSignature: input.require_signature ?? false,
    approverChosenMulti: input.approver_chosen_multi ?? false,
    needApprover: approvers.some((a) => a.type === 'Free'),
    ...(input.approver_chosen_range
      ? {
          approverChosenRange: input.approver_chosen_range.map((r) => ({
            type: r.type ?? 'ALL',
            idList: [...(r.id_list ?? [])],
          })),
        }
      : {}),
    ...(input.privilege_field
      ? {
          privilegeField: {
            writable: [...(input.privilege_field.writable ?? [])],
            readable: [...(input.privilege_field.readable ?? [])],
          },
        }
      : {}),
  });
}

function parseRule(input: ApproverInput, at: string): Result<ApproverRule> {
  if (!isApproverType(input.type)) return invalid(`${at}.type must be one of ${APPROVER_TYPES.join(', ')}`);
  if (input.type === 'Personal' && !input.user_id) return invalid(`${at}.user_id is required for a Personal approver`);
  const level = parseLevel(input.level);
  if (level === undefined) return invalid(`${at}.level must be a positive integer`);
  return ok({ type: input.type, ...(input.user_id ? { userId: input.user_id } : {}), level });
}

/** Feishu documents `level` as a string ("3"); numbers are accepted too. */
function parseLevel(level: string | number | undefined): number | undefined {
  if (level === undefined) return 1;
  if (typeof level === 'number') return Number.isInteger(level) && level > 0 ? level : undefined;
  return /^[1-9]\d*$/.test(level) ? Number(level) : undefined;
}

function parseSettings(input: NonNullable<DefinitionInput['settings']>): Result<DefinitionSettings> {
  const revertOption = input.revert_option ?? DEFAULT_SETTINGS.revertOption;
  if (revertOption !== 0 && revertOption !== 1) return invalid('settings.revert_option must be 0 or 1');
  const revertInterval = input.revert_interval ?? DEFAULT_SETTINGS.revertInterval;
  if (!Number.isInteger(revertInterval) || revertInterval < 0) {
    return invalid('settings.revert_interval must be a whole number of seconds, 0 or more');
  }
  return ok({
    revertOption,
    revertInterval,
    rejectOption: input.reject_option ?? DEFAULT_SETTINGS.rejectOption,
    quickApprovalOption: input.quick_approval_option ?? DEFAULT_SETTINGS.quickApprovalOption,
  });
}

/** i18n_resources (of a definition, or of an instance at create): exactly one default locale. */
export function parseI18n(input: DefinitionInput['i18n_resources']): Result<I18nResource[]> {
  if (input.length === 0) return invalid('i18n_resources must hold at least one locale');
  const defaults = input.filter((r) => r.is_default).length;
  if (defaults !== 1) return invalid(`exactly one of i18n_resources must have is_default true, found ${defaults}`);
  return ok(
    input.map((r) => ({
      locale: r.locale,
      isDefault: r.is_default,
      texts: Object.fromEntries(r.texts.map((t) => [t.key, t.value])),
    })),
  );
}

/** The reason for the first `@i18n@` key that the default locale cannot resolve, if any. */
function missingI18nKey(draft: DefinitionDraft): string | undefined {
  const fallback = draft.i18n.find((r) => r.isDefault);
  if (!fallback) return 'i18n_resources has no default locale';
  const used: [string, string][] = [
    ['approval_name', draft.name],
    ['description', draft.description],
    ...draft.nodes.map((n, i): [string, string] => [`node_list[${i + 1}].name`, n.name]),
    ...draft.form.map((w): [string, string] => [`widget "${w.id}" name`, w.name]),
  ];
  for (const [where, key] of used) {
    if (isI18nKey(key) && !Object.hasOwn(fallback.texts, key)) {
      return `i18n key "${key}" used by ${where} has no text in the default locale ${fallback.locale}`;
    }
  }
  return undefined;
}

const isNodeType = (value: string): value is NodeType => (NODE_TYPES as readonly string[]).includes(value);
const isApproverType = (value: string): value is ApproverType =>
  (APPROVER_TYPES as readonly string[]).includes(value);

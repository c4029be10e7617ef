/**
 * Who approves each node of a new instance (rules.md "Definitions"). Pure: the services compute the
 * submitter's leader and department chains beforehand, so no directory look-up happens here.
 */
import { ok, refuse, type Result } from '../errors.js';
import { MAX_CC_USERS_PER_NODE } from './cc.js';
import { isI18nKey, type ApproverRule, type NodeDefinition, type NodeType } from './definition.js';

export interface SubmitterContext {
  userId: string;
  /** The submitter's leader, then that leader's leader, ... bottom-up. */
  leaderChain: string[];
  /** The leader of the submitter's department, then of its parent, ... bottom-up, without gaps. */
  departmentLeaderChain: string[];
  isUser(userId: string): boolean;
}

/** The approvers of one node of an instance's route, in the order they act, and whom it CCs once passed. */
export interface PlannedNode {
  nodeId: string;
  /** Tenant user_ids, de-duplicated, in order. */
  approvers: string[];
  /** Tenant user_ids, de-duplicated; absent when the node CCs nobody (and on routes stored before CCs). */
  ccers?: string[];
  /** The node passes by itself (create's node_auto_approval_list): nobody approves it. */
  autoPass?: true;
  /** How many times the route has entered the node (absent: once); a send-back enters it again. */
  pass?: number;
  /** The users add_sign added to the node in this pass, group by group (task-groups.ts). */
  added?: AddedGroup[];
}

/**
 * Users add_sign added to a node, and how they stand to the group of the operator's task (`of`): `before` it
 * (the operator's task waits until they have decided), `after` it (the operator has approved; they decide
 * before the node passes) or `with` it (beside a group they could not join).
 */
export interface AddedGroup {
  /** The group id their tasks carry. */
  group: string;
  of: string;
  kind: 'before' | 'after' | 'with';
  /** How they decide: OR one of them, AND all, SEQUENTIAL one after another in `users` order. */
  type: NodeType;
  users: string[];
  /** `before`: the operator's waiting task, reopened for them once the group has decided. */
  waiting?: string;
}

const invalid = (reason: string) => refuse(1390001, reason);

/** The users a definition's approver and CC rules name outright (Personal rules), for the directory to check. */
export const usersNamedBy = (nodes: readonly NodeDefinition[]): string[] =>
  nodes.flatMap((n) => [...n.approvers, ...n.ccers].flatMap((a) => (a.userId ? [a.userId] : [])));

/** How a node is named in reasons: its name when that is plain text, else the client's node id. */
export const nodeLabel = (node: NodeDefinition): string =>
  node.name !== '' && !isI18nKey(node.name) ? node.name : node.customNodeId;

type ChosenUsers = Readonly<Record<string, readonly string[]>>;

/** An entry of create's node_auto_approval_list: a node by its client id (CUSTOM) or its system id. */
export interface AutoApproval {
  node_id_type?: 'CUSTOM' | 'NON_CUSTOM' | undefined;
  node_id?: string | undefined;
}

/** The system ids of the nodes node_auto_approval_list names; an entry naming no node is refused. */
export function autoApprovedNodes(nodes: readonly NodeDefinition[], list: readonly AutoApproval[]): Result<Set<string>> {
  const found = new Set<string>();
  for (const [i, entry] of list.entries()) {
    const node = nodes.find(
      (n) =>
        (entry.node_id_type !== 'NON_CUSTOM' && n.customNodeId === entry.node_id) ||
        (entry.node_id_type !== 'CUSTOM' && n.nodeId === entry.node_id),
    );
    if (!node) {
      const kind = entry.node_id_type ? `${entry.node_id_type} ` : '';
      return invalid(`node_auto_approval_list[${i}]: ${kind}node_id "${entry.node_id ?? ''}" names no node of this approval`);
    }
    found.add(node.nodeId);
  }
  return ok(found);
}

/**
 * Resolves every node's approvers and CC'd users. `freeApprovers` holds the submitter's picks for Free
 * nodes, `chosenCcers` the users the submitter CCs on a node (node_cc_*_list), both keyed by node_id or
 * custom_node_id (both keys of one node are united). Nodes in `autoPass` need no approver: they pass by
 * themselves.
 */
export function resolveRoute(
  nodes: readonly NodeDefinition[],
  ctx: SubmitterContext,
  freeApprovers: ChosenUsers,
  chosenCcers: ChosenUsers = {},
  autoPass: ReadonlySet<string> = new Set(),
): Result<PlannedNode[]> {
  for (const [list, picks] of [['approver', freeApprovers], ['CC', chosenCcers]] as const) {
    const unknown = Object.keys(picks).find((key) => !nodes.some((n) => n.nodeId === key || n.customNodeId === key));
    if (unknown !== undefined) return invalid(`${list} list key "${unknown}" names no node of this approval`);
  }

  const route: PlannedNode[] = [];
  for (const node of nodes) {
    const ccers = resolveCcers(node, ctx, picksFor(chosenCcers, node));
    if (!ccers.ok) return ccers;
    const cc = ccers.value.length ? { ccers: ccers.value } : {};
    if (autoPass.has(node.nodeId)) {
      route.push({ nodeId: node.nodeId, approvers: [], ...cc, autoPass: true });
      continue;
    }
    const chosen = picksFor(freeApprovers, node);
    const approvers: string[] = [];
    const gaps: string[] = [];
    for (const rule of node.approvers) {
      const resolved = resolveRule(rule, ctx, chosen);
      if (!resolved.ok) return invalid(`node "${nodeLabel(node)}": ${resolved.why}`);
      if (resolved.users.length === 0) gaps.push(resolved.why);
      for (const user of resolved.users) if (!approvers.includes(user)) approvers.push(user);
    }
    if (approvers.length === 0) {
      return invalid(`node "${nodeLabel(node)}" has no approver: ${gaps.join('; ')}`);
    }
    route.push({ nodeId: node.nodeId, approvers, ...cc });
  }
  return ok(route);
}

const picksFor = (picks: ChosenUsers, node: NodeDefinition): string[] => [
  ...(picks[node.nodeId] ?? []),
  ...(picks[node.customNodeId] ?? []),
];

/** The node's `ccer` rules, then the submitter's picks; a rule that finds nobody simply CCs nobody. */
function resolveCcers(node: NodeDefinition, ctx: SubmitterContext, chosen: readonly string[]): Result<string[]> {
  const picked = new Set(chosen);
  if (picked.size > MAX_CC_USERS_PER_NODE) {
    return invalid(`node "${nodeLabel(node)}": at most ${MAX_CC_USERS_PER_NODE} CC users may be picked, got ${picked.size}`);
  }
  const unknown = chosen.find((user) => !ctx.isUser(user));
  if (unknown !== undefined) return invalid(`node "${nodeLabel(node)}": CC user "${unknown}" is not a user of this tenant`);
  const users: string[] = [];
  for (const rule of node.ccers) {
    const resolved = resolveRule(rule, ctx, []);
    if (!resolved.ok) return invalid(`node "${nodeLabel(node)}": CC rule: ${resolved.why}`);
    users.push(...resolved.users);
  }
  return ok([...new Set([...users, ...chosen])]);
}

/** `ok: false` refuses the whole create; `ok: true` with no users says why the rule found nobody. */
type RuleOutcome = { ok: true; users: string[]; why: string } | { ok: false; why: string };

function resolveRule(rule: ApproverRule, ctx: SubmitterContext, chosen: readonly string[]): RuleOutcome {
  switch (rule.type) {
    case 'Personal': {
      const user = rule.userId ?? '';
      if (!ctx.isUser(user)) return { ok: false, why: `approver "${user}" is not a user of this tenant` };
      return { ok: true, users: [user], why: '' };
    }
    case 'Free': {
      const unknown = chosen.find((user) => !ctx.isUser(user));
      if (unknown !== undefined) return { ok: false, why: `chosen approver "${unknown}" is not a user of this tenant` };
      return { ok: true, users: [...chosen], why: 'the submitter chose no approver for it' };
    }
    case 'Supervisor':
      return pick(ctx.leaderChain, rule.level - 1, `the submitter has no leader ${rule.level} level(s) up`);
    case 'SupervisorTopDown':
      return pick(
        ctx.leaderChain,
        ctx.leaderChain.length - rule.level,
        `the submitter's leader chain has fewer than ${rule.level} level(s)`,
      );
    case 'DepartmentManager':
      return pick(
        ctx.departmentLeaderChain,
        rule.level - 1,
        `the submitter's department chain has no leader ${rule.level} level(s) up`,
      );
    case 'DepartmentManagerTopDown':
      return pick(
        ctx.departmentLeaderChain,
        ctx.departmentLeaderChain.length - rule.level,
        `the submitter's department chain has fewer than ${rule.level} level(s) with a leader`,
      );
  }
}

function pick(chain: readonly string[], index: number, whyNobody: string): RuleOutcome {
  const user = index >= 0 ? chain[index] : undefined;
  return user === undefined ? { ok: true, users: [], why: whyNobody } : { ok: true, users: [user], why: '' };
}

/** Who would approve (and be CC'd on) each node, as far as it can be known before anyone picks. */
export interface NodePreview {
  nodeId: string;
  approvers: string[];
  ccers: string[];
  /** The submitter picks this node's approvers (a Free rule): the list may be empty until then. */
  free: boolean;
}

/**
 * The route a request would take, for `POST /instances/preview`. Unlike resolveRoute it refuses nothing:
 * Free nodes and rules that find nobody simply show no users.
 */
export function previewRoute(nodes: readonly NodeDefinition[], ctx: SubmitterContext): NodePreview[] {
  const resolve = (rules: readonly ApproverRule[]) => {
    const users: string[] = [];
    for (const rule of rules) {
      const outcome = resolveRule(rule, ctx, []);
      if (outcome.ok) for (const user of outcome.users) if (!users.includes(user)) users.push(user);
    }
    return users;
  };
  return nodes.map((node) => ({
    nodeId: node.nodeId,
    approvers: resolve(node.approvers),
    ccers: resolve(node.ccers),
    free: node.approvers.some((rule) => rule.type === 'Free'),
  }));
}

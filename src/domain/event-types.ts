/**
 * The event types an app can take (rules.md "Events"): the event 1.0 approval types, and the 2.0 event
 * sent when a definition is overwritten. An app that names none takes the 1.0 types.
 */
export const DEFINITION_UPDATED = 'approval.approval.updated_v4';

export const DEFAULT_EVENT_TYPES = ['approval_instance', 'approval_task', 'approval_cc'] as const;

export const EVENT_TYPES = [...DEFAULT_EVENT_TYPES, DEFINITION_UPDATED] as const;

export type EventType = (typeof EVENT_TYPES)[number];

/** The first name in `types` that is no event type, if any: its position, and why it is refused. */
export function unknownEventType(types: readonly string[]): { index: number; reason: string } | undefined {
  const index = types.findIndex((type) => !(EVENT_TYPES as readonly string[]).includes(type));
  if (index < 0) return undefined;
  return { index, reason: `unknown event type "${types[index]}" (known: ${EVENT_TYPES.join(', ')})` };
}

/** Whether an app that chose `types` (null: the default) receives events of `eventType`. */
export function takesEvent(types: readonly string[] | null, eventType: string): boolean {
  return (types ?? DEFAULT_EVENT_TYPES).includes(eventType);
}

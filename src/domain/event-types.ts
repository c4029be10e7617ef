/**
 * The event types an app can take (rules.md "Events"): the event 1.0 approval types, and the 2.0 event
 * sent when a definition is overwritten. An app that names none takes the 1.0 types.
 */
export const DEFINITION_UPDATED = 'approval.approval.updated_v4';

export const DEFAULT_EVENT_TYPES = ['approval_instance', 'approval_task', 'approval_cc'] as const;

export const EVENT_TYPES = [...DEFAULT_EVENT_TYPES, DEFINITION_UPDATED] as const;

export type EventType = (typeof EVENT_TYPES)[number];

/** The first name in `types` that is no event type, if any. */
export function unknownEventType(types: readonly string[]): string | undefined {
  return types.find((type) => !(EVENT_TYPES as readonly string[]).includes(type));
}

/** Whether an app that chose `types` (null: the default) receives events of `eventType`. */
export function takesEvent(types: readonly string[] | null, eventType: string): boolean {
  return (types ?? DEFAULT_EVENT_TYPES).includes(eventType);
}

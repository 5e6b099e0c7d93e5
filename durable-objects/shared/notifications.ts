// Notifications a flush makes due. They travel from the object that flushed to the project object,
// which fans them out to matching webhooks; `key` makes delivery idempotent when a hand-off is
// retried.

export type NotificationKind = "group.new" | "group.regressed" | "group.escalated";

export interface NotificationIntent {
  /** Unique per event worth notifying: a group is new once, regresses once per shipped fix. */
  key: string;
  kind: NotificationKind;
  group: {
    id: string;
    failure_class: string;
    signature: string;
    severity: string;
    occurrences: number;
    first_seen: number;
    last_seen: number;
    status?: string;
  };
  execution_id: string;
  ts: number;
}

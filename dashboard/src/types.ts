// Shapes the API answers with (workers/read/group-view.ts and the routes), as the dashboard reads them.

export interface Group {
  id: string;
  failure_class: string;
  signature: string;
  status: string;
  severity: string;
  first_seen: string;
  last_seen: string;
  occurrences: number;
  executions: number;
  last_execution_id: string | null;
  category: string;
  category_source: "override" | "class" | "default";
  category_override: { category: string; by: string | null; at: string | null } | null;
  remediation_route: string | null;
  observed_at: string | null;
  status_changed_at: string | null;
  resolved_at: string | null;
  resolved_in_release: string | null;
  fix_shipped_at: string | null;
  regressed_at: string | null;
  archive_mode: string | null;
  detail: Record<string, unknown> | null;
}

export interface GroupDetail {
  group: Group;
  playbook: { id: string; title: string; markdown: string } | null;
  history: { at: string; actor: string; action: string; from: string | null; to: string | null; detail: Record<string, unknown> }[];
  recent_executions: { execution_id: string; name: string | null; status: string | null; tenant_id: string | null; first_seen: string; last_seen: string; occurrences: number }[];
}

export interface Finding {
  failure_class: string;
  signature: string;
  severity: string;
  group_id: string;
  first_seen: string | null;
  last_seen: string | null;
  occurrences: number;
  first_event_id: string;
  detail: Record<string, unknown>;
}

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type EventJson = { id: string; type: string; timestamp?: string; agent?: string } & Record<string, JsonValue | undefined>;

export interface RunSummary {
  status: string;
  raw_status: string;
  halted: boolean;
  name: string | null;
  duration_ms: number;
  events: number;
  steps: number;
  findings: number;
  metrics: {
    llm_calls: { total: number; failed: number };
    tool_calls: { total: number; failed: number };
    failed_calls: number;
    success_rate: number | null;
    tokens: { total: number };
    cost_usd: number;
    agents: string[];
    handoffs: number;
  };
  problems: { failure_class: string; signature: string; severity: string; category: string; group_id: string; occurrences: number; suggested_fix: { playbook_id: string; title: string; text: string | null } | null }[];
  key_decisions: { event_id: string; type: string; timestamp: string | null; label: string; failed: boolean }[];
  narrative: string;
}

export interface ExecutionDetail {
  execution: {
    id: string;
    name: string | null;
    status: string;
    tenant_id: string | null;
    parent_execution_id: string | null;
    release: string | null;
    environment: string | null;
    started_at: string | null;
    last_event_at: string | null;
    finished_at: string | null;
    event_count: number;
    steps: number;
    duration_ms: number;
  };
  events: EventJson[];
  next_cursor: string | null;
  findings: Finding[];
  halt: { failure_class: string; signature: string; group_id: string } | null;
  summary: RunSummary;
}

// Execution detail: the run summary and its narrative, the Halt button for a running run (the
// page's primary action), its findings with the first fix to try, the multi-agent topology, and the
// event timeline with expandable payloads (already redacted by the API; shown as text).
import { ApiError } from "../api.ts";
import type { Ctx } from "../context.ts";
import { NEEDS_ADMIN } from "../context.ts";
import type { Child } from "../dom.ts";
import { h, mount } from "../dom.ts";
import { count, duration, label, plural, usd, when } from "../format.ts";
import type { TopologyView } from "../topology.ts";
import { topologyGraph } from "../topology.ts";
import type { EventJson, ExecutionDetail, JsonValue } from "../types.ts";
import { actionButton, card, keyValues, mono, notice, pageHeader, severityBadge, statusBadge } from "../ui.ts";

const EVENTS_PER_PAGE = 100;
const FAILED = new Set(["failed", "error", "crashed", "timeout", "rejected", "validation_failed", "halted"]);

function str(v: JsonValue | undefined): string {
  if (v === undefined || v === null) return "";
  return typeof v === "string" ? v : JSON.stringify(v);
}

function field(e: EventJson, ...path: string[]): string {
  let v: JsonValue | undefined = e as unknown as JsonValue;
  for (const p of path) v = v && typeof v === "object" && !Array.isArray(v) ? v[p] : undefined;
  return str(v);
}

/** One line saying what the event was; all of it is text from the event, shown as text. */
function eventLabel(e: EventJson): string {
  switch (e.type) {
    case "llm_call":
      return [`${field(e, "provider")}/${field(e, "model")}`, field(e, "status"), field(e, "error", "class") || field(e, "error", "type"), e.input_tokens !== undefined ? `${str(e.input_tokens)}+${str(e.output_tokens)} tokens` : ""].filter(Boolean).join(" · ");
    case "tool_call":
      return [field(e, "tool"), field(e, "status"), field(e, "error", "type")].filter(Boolean).join(" · ");
    case "execution_started":
      return [field(e, "name"), field(e, "release") && `release ${field(e, "release")}`].filter(Boolean).join(" · ");
    case "execution_finished":
      return [field(e, "status"), field(e, "error", "type")].filter(Boolean).join(" · ");
    case "validator_check":
      return [field(e, "validator"), field(e, "status"), field(e, "reason")].filter(Boolean).join(" · ");
    case "agent_handoff":
      return `${field(e, "from_agent")} → ${field(e, "to_agent")}${field(e, "kind") ? ` (${field(e, "kind")})` : ""}`;
    case "human_intervention":
      return [field(e, "request_id"), field(e, "response_kind")].filter(Boolean).join(" · ");
    case "eval_score":
      return `${field(e, "evaluator")} ${field(e, "metric")} = ${field(e, "score")}`;
    case "infrastructure_event":
      return [field(e, "reason"), field(e, "provider")].filter(Boolean).join(" · ");
    case "checkpoint":
      return field(e, "name");
    default:
      return "";
  }
}

function isFailed(e: EventJson): boolean {
  return FAILED.has(field(e, "status")) || (e.type === "human_intervention" && ["rejected", "timeout"].includes(field(e, "response_kind")));
}

function eventRow(e: EventJson, start: number | null, findingEvents: Set<string>): HTMLElement {
  const ts = e.timestamp ? Date.parse(e.timestamp) : null;
  const offset = start !== null && ts !== null ? `+${duration(ts - start)}` : "";
  const failed = isFailed(e);
  return h(
    "details",
    { class: `event${failed ? " failed" : ""}${findingEvents.has(e.id) ? " has-finding" : ""}`, data: { event: e.id } },
    h(
      "summary",
      {},
      h("span", { class: "event-time", title: when(e.timestamp) }, offset || "–"),
      h("span", { class: `event-type type-${e.type.replace(/[^a-z_]/g, "")}` }, e.type),
      e.agent ? h("span", { class: "event-agent" }, e.agent) : null,
      h("span", { class: "event-label" }, eventLabel(e)),
      findingEvents.has(e.id) ? h("span", { class: "badge sev-high small" }, "finding") : null,
    ),
    h("pre", { class: "payload" }, JSON.stringify(e, null, 2)),
  );
}

export async function executionView(ctx: Ctx, [id]: string[]): Promise<Child> {
  const executionId = id!;
  const path = `/v1/executions/${encodeURIComponent(executionId)}`;
  const [detail, topology] = await Promise.all([
    ctx.api.get<ExecutionDetail>(path, { limit: EVENTS_PER_PAGE }),
    ctx.api.get<TopologyView>(`${path}/topology`).catch((error: unknown) => {
      if (error instanceof ApiError && error.status === 404) return null;
      throw error;
    }),
  ]);
  const x = detail.execution;
  const summary = detail.summary;
  const m = summary.metrics;
  const start = x.started_at ? Date.parse(x.started_at) : detail.events[0]?.timestamp ? Date.parse(detail.events[0].timestamp) : null;
  const findingEvents = new Set(detail.findings.map((f) => f.first_event_id));

  const timeline = h("div", { class: "timeline", data: { test: "timeline" } }, detail.events.map((e) => eventRow(e, start, findingEvents)));
  let cursor = detail.next_cursor;
  const more = h("div", { class: "more" });
  const renderMore = () => {
    mount(
      more,
      cursor
        ? actionButton("Load more events", { class: "btn" }, async () => {
            const page = await ctx.api.get<ExecutionDetail>(path, { limit: EVENTS_PER_PAGE, cursor });
            timeline.append(...page.events.map((e) => eventRow(e, start, findingEvents)));
            cursor = page.next_cursor;
            renderMore();
          })
        : null,
    );
  };
  renderMore();

  return [
    h("nav", { class: "crumbs" }, h("a", { href: "#/groups" }, "Groups"), " / execution"),
    pageHeader(
      h("span", {}, x.name ?? x.id, " ", h("span", { class: "mono muted title-id" }, x.id)),
      h(
        "span",
        { class: "header-badges" },
        statusBadge(x.status),
        summary.status !== x.status ? h("span", { class: "muted" }, `(${summary.status})`) : null,
        detail.halt ? h("span", { class: "badge halted", data: { test: "halted" } }, "halt sent") : null,
        h("span", { class: "muted" }, `${count(x.event_count)} events · ${duration(x.duration_ms)}${x.release ? ` · release ${x.release}` : ""}${x.tenant_id ? ` · tenant ${x.tenant_id}` : ""}`),
      ),
      haltControl(ctx, detail),
    ),
    detail.halt
      ? notice("warn", "Halt directive issued for ", mono(`${detail.halt.failure_class}: ${detail.halt.signature}`), ". The agent receives it with its next batch of events.")
      : null,
    h(
      "div",
      { class: "detail-grid" },
      h(
        "div",
        { class: "detail-main" },
        card("What happened", h("p", { class: "narrative", data: { test: "narrative" } }, summary.narrative)),
        card(
          "Findings",
          summary.problems.length === 0
            ? h("div", { class: "empty" }, "No findings: Vigil saw nothing wrong in this run.")
            : h(
                "ul",
                { class: "findings", data: { test: "findings" } },
                summary.problems.map((p) =>
                  h(
                    "li",
                    {},
                    h(
                      "div",
                      { class: "finding-head" },
                      severityBadge(p.severity),
                      h("span", { class: "class-name" }, label(p.failure_class)),
                      h("a", { href: `#/groups/${encodeURIComponent(p.group_id)}`, class: "signature-link" }, p.signature),
                      h("span", { class: "muted small" }, `${plural(p.occurrences, "occurrence")} · route ${p.category}`),
                    ),
                    p.suggested_fix?.text ? h("p", { class: "small try-first" }, h("strong", {}, "Try first: "), p.suggested_fix.text) : null,
                  ),
                ),
              ),
        ),
        topology && topology.nodes > 1
          ? card("Agents", topologyGraph(topology, x.id, (other) => ctx.navigate(`#/executions/${encodeURIComponent(other)}`)))
          : null,
        card(`Events (${count(x.event_count)})`, h("p", { class: "muted small" }, "Click an event to see its payload. Secrets were redacted before storage."), timeline, more),
      ),
      h(
        "aside",
        { class: "detail-side" },
        card(
          "Run summary",
          keyValues([
            ["Status", `${summary.status} (${summary.raw_status})`],
            ["Started", when(x.started_at)],
            ["Finished", when(x.finished_at)],
            ["Duration", duration(summary.duration_ms)],
            ["Steps", count(summary.steps)],
            ["LLM calls", `${count(m.llm_calls.total)} (${count(m.llm_calls.failed)} failed)`],
            ["Tool calls", `${count(m.tool_calls.total)} (${count(m.tool_calls.failed)} failed)`],
            ["Success rate", m.success_rate === null ? "–" : `${Math.round(m.success_rate * 100)}%`],
            ["Tokens", count(m.tokens.total)],
            ["Cost", usd(m.cost_usd)],
            ["Agents", m.agents.length ? m.agents.join(", ") : "–"],
            ["Parent", x.parent_execution_id ? h("a", { href: `#/executions/${encodeURIComponent(x.parent_execution_id)}`, class: "mono" }, x.parent_execution_id) : "–"],
          ]),
        ),
        summary.key_decisions.length
          ? card(
              "Key decisions",
              h(
                "ol",
                { class: "decisions" },
                summary.key_decisions.map((d) => h("li", { class: d.failed ? "failed" : "" }, d.label)),
              ),
            )
          : null,
      ),
    ),
  ];
}

function haltControl(ctx: Ctx, detail: ExecutionDetail): HTMLElement | null {
  const x = detail.execution;
  if (x.status !== "running" || detail.halt) return null;
  const wrap = h("div", { class: "halt", data: { test: "halt" } });
  const reasonText = !ctx.session.canTriage
    ? NEEDS_ADMIN
    : detail.findings.length === 0
      ? "Vigil has no finding for this run yet: a halt names the failure that justifies it."
      : null;
  const ask = () => {
    mount(
      wrap,
      h("button", { type: "button", class: "btn btn-danger", disabled: reasonText !== null, title: reasonText ?? "Tell the agent to stop at its next batch", on: { click: confirm }, data: { test: "halt-button" } }, "Halt execution"),
      reasonText ? h("p", { class: "hint" }, reasonText) : null,
    );
  };
  const confirm = () => {
    const reason = h("input", { name: "reason", placeholder: "Reason (optional)" });
    wrap.replaceChildren(
      h("span", { class: "small" }, "Stop this run at its next batch?"),
      reason,
      actionButton("Confirm halt", { class: "btn btn-danger", data: { test: "halt-confirm" } }, async () => {
        try {
          const actor = localStorage.getItem("vigil.actor");
          await ctx.api.send("POST", `/v1/executions/${encodeURIComponent(x.id)}/halt`, { ...(reason.value.trim() ? { reason: reason.value.trim() } : {}), ...(actor ? { actor } : {}) });
          ctx.refresh();
        } catch (error) {
          wrap.append(notice("error", error instanceof Error ? error.message : String(error)));
        }
      }),
      h("button", { type: "button", class: "btn btn-ghost", on: { click: ask } }, "Cancel"),
    );
    reason.focus();
  };
  ask();
  return wrap;
}

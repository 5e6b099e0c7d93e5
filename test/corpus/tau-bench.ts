// Turns the tau-bench airline trajectories (../shared/corpora/tau-bench-airline, MIT, see its
// SOURCE.md) into Vigil events the way an instrumented agent would send them: each assistant turn
// is an llm_call carrying the messages it was prompted with; each tool call it made is a tool_call
// with the matching tool message as its result (failed when that result starts with "Error:").
import raw from "../../../shared/corpora/tau-bench-airline/gpt-4o-airline.json?raw";

interface TrajMessage {
  role: string;
  content: string | null;
  tool_calls?: { id: string; function: { name: string; arguments: string } }[];
  tool_call_id?: string;
}

export interface Trajectory {
  task_id: number;
  trial: number;
  reward: number;
  traj: TrajMessage[];
}

export const TAU_BENCH_TRAJECTORIES = JSON.parse(raw) as Trajectory[];

export function trajectoryToEvents(t: Trajectory, executionId: string, start = Date.UTC(2026, 10, 2)): Record<string, unknown>[] {
  let n = 0;
  const event = (type: string, fields: Record<string, unknown>) => {
    n++;
    return { id: `${executionId}-${n}`, execution_id: executionId, type, timestamp: start + n * 1000, agent: "airline-agent", ...fields };
  };
  const events = [event("execution_started", { name: "airline-support" })];
  const toolResults = new Map(t.traj.filter((m) => m.role === "tool").map((m) => [m.tool_call_id, m.content ?? ""]));
  t.traj.forEach((m, i) => {
    if (m.role !== "assistant") return;
    // As sent to the provider: assistant turns keep their tool calls, tool turns their call ids.
    const messages = t.traj.slice(0, i).map((p) => ({
      role: p.role,
      content: p.content ?? "",
      ...(p.tool_calls ? { tool_calls: p.tool_calls } : {}),
      ...(p.tool_call_id ? { tool_call_id: p.tool_call_id } : {}),
    }));
    events.push(
      event("llm_call", {
        provider: "openai",
        model: "gpt-4o",
        messages,
        response: m.content ?? { tool_calls: m.tool_calls?.map((c) => c.function.name) ?? [] },
        status: "ok",
      }),
    );
    for (const call of m.tool_calls ?? []) {
      const result = toolResults.get(call.id) ?? "";
      let args: unknown = call.function.arguments;
      try {
        args = JSON.parse(call.function.arguments);
      } catch {
        // keep the raw string
      }
      events.push(
        event("tool_call", {
          tool: call.function.name,
          arguments: args,
          result,
          status: result.startsWith("Error:") ? "failed" : "ok",
          ...(result.startsWith("Error:") ? { error: { type: "ToolError", message: result.slice(0, 200) } } : {}),
        }),
      );
    }
  });
  events.push(event("execution_finished", { status: t.reward === 1 ? "completed" : "failed" }));
  return events;
}

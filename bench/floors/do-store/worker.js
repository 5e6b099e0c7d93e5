// Floor 2: the limit of this architecture. The Worker parses the batch, groups it by execution_id
// and sends each execution's slice (as JSON text, one RPC per execution per request, like Vigil) to
// that execution's own SQLite Durable Object, which stores it with one INSERT. Same URL and response
// shape as Vigil's POST /v1/events (spec 4.3); the Authorization header is ignored.
/* global Response */
import { DurableObject } from "cloudflare:workers";

export class ExecutionStore extends DurableObject {
  constructor(ctx, env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.sql.exec("CREATE TABLE IF NOT EXISTS batches (seq INTEGER PRIMARY KEY AUTOINCREMENT, body TEXT NOT NULL)");
  }

  /** One statement per batch: the slice is durable when this returns. */
  async store(json, count) {
    this.sql.exec("INSERT INTO batches (body) VALUES (?)", json);
    return count;
  }
}

export default {
  async fetch(request, env) {
    const { pathname } = new URL(request.url);
    if (request.method === "GET" && pathname === "/health") return Response.json({ status: "ok", service: "do-store" });
    if (request.method !== "POST" || pathname !== "/v1/events") return new Response("not found", { status: 404 });
    let body;
    try {
      body = JSON.parse(await request.text());
    } catch {
      return Response.json({ error: { code: "invalid_json", message: "The body is not valid JSON." } }, { status: 400 });
    }
    const events = body !== null && typeof body === "object" ? body.events : undefined;
    if (!Array.isArray(events)) {
      return Response.json({ error: { code: "invalid_body", message: "events must be an array" } }, { status: 400 });
    }
    const byExecution = new Map();
    for (const event of events) {
      const id = String(event?.execution_id ?? "");
      const slice = byExecution.get(id);
      if (slice) slice.push(event);
      else byExecution.set(id, [event]);
    }
    const counts = await Promise.all(
      [...byExecution].map(([id, slice]) => env.STORE.get(env.STORE.idFromName(id)).store(JSON.stringify(slice), slice.length)),
    );
    const accepted = counts.reduce((a, b) => a + b, 0);
    return Response.json({ accepted, duplicates: 0, rejected: [], directives: [] });
  },
};

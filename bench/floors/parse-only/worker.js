// Floor 1: the runtime's limit. Same URL and response shape as Vigil's POST /v1/events
// (spec 4.3); the Authorization header is ignored.
/* global Response */
export default {
  async fetch(request) {
    const { pathname } = new URL(request.url);
    if (request.method === "GET" && pathname === "/health") return Response.json({ status: "ok", service: "parse-only" });
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
    return Response.json({ accepted: events.length, duplicates: 0, rejected: [], directives: [] });
  },
};

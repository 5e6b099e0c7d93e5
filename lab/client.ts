// The lab's HTTP side: the public API only (spec sections 3, 4 and 6).

export interface Keys {
  project_id: string;
  ingest_key: string;
  read_key: string;
  admin_key?: string;
}

export class Api {
  readonly base: string;
  constructor(base: string) {
    this.base = base.replace(/\/$/, "");
  }

  async json<T>(method: string, path: string, key: string, body?: unknown, attempts = 8): Promise<{ status: number; body: T }> {
    for (let attempt = 1; ; attempt++) {
      // Every call is safe to repeat (event ids are idempotency keys), so a dropped connection
      // (e.g. the dev server reloading) is retried like a 503.
      let res: Response;
      let text: string;
      try {
        res = await fetch(`${this.base}${path}`, {
          method,
          headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
          ...(body === undefined ? {} : { body: typeof body === "string" ? body : JSON.stringify(body) }),
        });
        text = await res.text();
      } catch (err) {
        if (attempt >= attempts) throw err;
        await sleep(250 * 2 ** attempt);
        continue;
      }
      if ((res.status === 429 || res.status === 503 || res.status >= 500) && attempt < attempts) {
        const retry = Number(res.headers.get("retry-after") ?? "0");
        await sleep(Math.max(retry * 1000, 250 * 2 ** attempt));
        continue;
      }
      return { status: res.status, body: (text ? JSON.parse(text) : null) as T };
    }
  }

  async createProject(name: string, adminToken: string): Promise<Keys> {
    const { status, body } = await this.json<Keys>("POST", "/v1/admin/projects", adminToken, { name });
    if (status !== 201) throw new Error(`project creation answered ${status}: ${JSON.stringify(body)}`);
    return body;
  }

  /** Sends one batch; throws unless every event was accepted or a duplicate. */
  async sendEvents(ingestKey: string, events: readonly unknown[]): Promise<void> {
    const { status, body } = await this.json<{ accepted: number; duplicates: number; rejected?: unknown[] }>("POST", "/v1/events", ingestKey, { events });
    if (status !== 200) throw new Error(`POST /v1/events answered ${status}: ${JSON.stringify(body).slice(0, 500)}`);
  }

  async groups(readKey: string): Promise<GroupSummary[]> {
    const out: GroupSummary[] = [];
    let cursor: string | null = null;
    do {
      const q: string = `/v1/groups?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`;
      const { status, body } = await this.json<{ groups: GroupSummary[]; next_cursor: string | null }>("GET", q, readKey);
      if (status !== 200) throw new Error(`GET /v1/groups answered ${status}`);
      out.push(...body.groups);
      cursor = body.next_cursor;
    } while (cursor);
    return out;
  }
}

export interface GroupSummary {
  id: string;
  failure_class: string;
  signature: string;
  occurrences: number;
  executions: number;
  first_seen: string;
  last_seen: string;
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Runs `fn` over `items` with at most `limit` in flight. */
export async function pool<T>(items: readonly T[], limit: number, fn: (item: T, i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      await fn(items[i]!, i);
    }
  });
  await Promise.all(workers);
}

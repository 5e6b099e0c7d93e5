// The dashboard end to end: a real `npm start` (API and dashboard on free ports, fresh state),
// seeded through the public API, driven in Debian's headless Chromium with playwright-core.
// Proves: every view loads with seeded data; read keys see the triage controls disabled with the
// reason; an admin resolves a group in a release and halts a running execution; and nothing from
// an event or a playbook runs as script (hostile markup in events, a signature and a playbook).
// UPDATE_SCREENSHOTS=1 also rewrites docs/screenshots/*.png.
// The functions passed to page.evaluate and waitForFunction run in the page, where these exist.
/* global window, document, location, HashChangeEvent */
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { launchChromium } from "./browser.mjs";
import { REPO, startVigil } from "./harness.mjs";
import { HOSTILE, buildDigests, seed } from "./seed.mjs";

const KEYS = { ingest: "vk_dev_ingest_local_only", read: "vk_dev_read_local_only" };
const ADMIN_TOKEN = process.env.ADMIN_TOKEN ?? "dev-admin-token";
const SHOTS = process.env.UPDATE_SCREENSHOTS === "1" ? join(REPO, "docs/screenshots") : null;

let vigil;
let browser;
let groups;

async function api(path, init = {}) {
  const res = await fetch(`${vigil.api}${path}`, { ...init, headers: { authorization: `Bearer ${init.key ?? KEYS.read}`, "content-type": "application/json", ...init.headers } });
  return { status: res.status, body: res.status === 204 ? null : await res.json() };
}

const groupBySignature = (signature) => {
  const g = groups.find((x) => x.signature === signature);
  assert.ok(g, `seeded group ${signature}`);
  return g;
};

/** A page signed in through the sign-in form, recording dialogs and errors. */
async function signedIn(credential, { project } = {}) {
  const page = await browser.newPage();
  const trouble = { dialogs: [], errors: [] };
  page.on("dialog", (d) => {
    trouble.dialogs.push(d.message());
    void d.dismiss();
  });
  page.on("pageerror", (e) => trouble.errors.push(e.message));
  await page.goto(`${vigil.dashboard}/#/`);
  await page.fill("#api-base", vigil.api);
  await page.fill("#token", credential);
  if (project) await page.fill("#project", project);
  await page.click("form[data-test=signin] button[type=submit]");
  await page.waitForSelector("main[data-ready=true]");
  return { page, trouble };
}

/** Goes to a hash route and waits for the view to finish loading. */
async function go(page, hash) {
  await page.evaluate((h) => {
    document.getElementById("main")?.removeAttribute("data-ready");
    // The same hash fires no hashchange: ask for the render (a reload of the view) directly.
    if (location.hash === h) window.dispatchEvent(new HashChangeEvent("hashchange"));
    else location.hash = h;
  }, hash);
  await page.waitForSelector("main[data-ready]");
  const state = await page.getAttribute("main", "data-ready");
  if (state !== "true") throw new Error(`${hash} failed to load: ${await page.textContent("main")}`);
}

/** Does something that re-renders the view (a filter, a pager link) and waits for the new render. */
async function rerender(page, action) {
  // The old view's ready flag must not answer for the new one.
  await page.evaluate(() => document.getElementById("main")?.removeAttribute("data-ready"));
  await action();
  await page.waitForSelector("main[data-ready=true]");
}

async function shot(page, name) {
  if (!SHOTS) return;
  mkdirSync(SHOTS, { recursive: true });
  // From the top: a full-page capture of a scrolled page draws the sticky top bar mid-page.
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

describe("dashboard", { timeout: 240_000 }, () => {
  before(async () => {
    vigil = await startVigil();
    groups = await seed(vigil.api, KEYS);
    await buildDigests(vigil.api, KEYS.read);
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await vigil?.stop();
  });

  it("serves the dashboard with a Content-Security-Policy that allows no inline script", async () => {
    const res = await fetch(`${vigil.dashboard}/`);
    const csp = res.headers.get("content-security-policy") ?? "";
    assert.match(csp, /script-src 'self'(;|$)/);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
    assert.match(csp, /frame-ancestors 'none'/);
  });

  it("loads every view with seeded data for a read key, with triage visibly disabled", async () => {
    const { page, trouble } = await signedIn(KEYS.read);
    assert.equal(await page.textContent("[data-test=role]"), "read only");

    // Overview: the next action, the trend, ingest health.
    assert.ok((await page.locator("[data-test=next-up] li").count()) >= 3);
    assert.match(await page.textContent("[data-test=next-up] li:first-child"), /critical/);
    assert.match(await page.textContent("[data-test=ingest-health]"), /accepted · 0 rejected/);
    assert.equal(await page.locator("main svg.chart").count(), 1);
    await rerender(page, () => page.click("[data-test=next-action]"));
    assert.equal(await page.locator("[data-test=playbook]").count(), 1);

    // Groups: list, filter, search, pagination with the API cursor.
    await go(page, "#/groups");
    assert.ok((await page.locator(".groups-table tbody tr").count()) >= groups.length);
    await rerender(page, () => page.selectOption("#filter-failure_class", "crash"));
    assert.match(await page.evaluate(() => location.hash), /failure_class=crash/);
    assert.deepEqual(await page.locator(".groups-table .signature-link").allTextContents(), ["KeyError"]);
    await go(page, "#/groups");
    await page.fill("#filter-q", "timeout");
    await rerender(page, () => page.press("#filter-q", "Enter"));
    assert.match(await page.evaluate(() => location.hash), /q=timeout/);
    assert.deepEqual(await page.locator(".groups-table .signature-link").allTextContents(), ["search_flights:TimeoutError"]);
    await go(page, "#/groups?limit=4");
    const first = await page.locator(".groups-table .signature-link").allTextContents();
    await rerender(page, () => page.click("[data-test=next-page]"));
    assert.match(await page.evaluate(() => location.hash), /page=2/);
    const second = await page.locator(".groups-table .signature-link").allTextContents();
    assert.equal(first.length, 4);
    assert.ok(second.length > 0 && second.every((s) => !first.includes(s)), "page 2 repeats nothing of page 1");

    // Group detail: the playbook rendered from Markdown, why grouped, chart, executions, disabled controls.
    const timeout = groupBySignature("search_flights:TimeoutError");
    await go(page, `#/groups/${timeout.id}`);
    assert.match(await page.textContent("[data-test=playbook] h3"), /What this signal means/);
    assert.ok((await page.locator("[data-test=playbook] pre code").count()) >= 1);
    assert.ok((await page.locator("[data-test=playbook] li").count()) >= 3);
    assert.match(await page.textContent("main"), /Why these findings are one group/);
    assert.ok((await page.locator("a[data-execution]").count()) >= 10);
    assert.match(await page.textContent("[data-test=triage]"), /Needs an admin key/);
    for (const button of await page.locator("[data-test=triage] button").all()) assert.equal(await button.isDisabled(), true);

    // Execution detail: summary, narrative, findings, topology graph, expandable payloads.
    await go(page, "#/executions/trip-42");
    assert.match(await page.textContent("[data-test=narrative]"), /trip-planner/);
    assert.equal(await page.locator("svg.topology .node").count(), 3);
    await rerender(page, () => page.click("svg.topology .node[data-execution=trip-42-flights]"));
    assert.equal(await page.evaluate(() => location.hash), "#/executions/trip-42-flights");
    assert.match(await page.textContent("[data-test=findings]"), /book_seat:SeatUnavailable/);
    await page.click("details.event[data-event='trip-42-flights-e2'] summary");
    assert.match(await page.textContent("details.event[data-event='trip-42-flights-e2'] pre"), /"seat 14C taken"/);
    // A leaked secret was redacted before storage: the page never shows it.
    await go(page, "#/executions/leak-3");
    for (const summary of await page.locator("details.event summary").all()) await summary.click();
    assert.doesNotMatch(await page.textContent("main"), /ghp_R8x2Lk9QmV4tY7wP3nB6cJ1dF5gH0sA2zE8u/);

    // The halt button of a running execution is there, but disabled with the reason.
    await go(page, "#/executions/checkout-live");
    assert.equal(await page.locator("[data-test=halt-button]").isDisabled(), true);
    assert.match(await page.textContent("[data-test=halt]"), /Needs an admin key/);

    // Settings and digests.
    await go(page, "#/settings");
    assert.match(await page.textContent("main"), /Detector thresholds/);
    assert.equal(await page.locator("[data-test=create-key]").isDisabled(), true);
    await go(page, "#/digests");
    assert.ok((await page.locator("[data-test=digest]").count()) >= 1);

    assert.deepEqual(trouble, { dialogs: [], errors: [] });
    await page.close();
  });

  it("lets an admin resolve a group in a release, and shows the fix shipped once the release is recorded", async () => {
    const { page, trouble } = await signedIn(ADMIN_TOKEN, { project: "dev" });
    assert.equal(await page.textContent("[data-test=role]"), "admin");
    const crash = groupBySignature("KeyError");
    await go(page, `#/groups/${crash.id}`);
    await page.click("[data-transition=acknowledged]");
    await page.waitForSelector(".triage-result .notice-success:has-text('Acknowledged.')");

    await page.fill("[data-test=release-input]", "1.5.0");
    await page.click("[data-test=resolve-release] button[type=submit]");
    await page.waitForSelector(".triage-result .notice-success:has-text('Resolved in release 1.5.0.')");
    assert.match(await page.textContent("[data-test=triage]"), /in release 1\.5\.0 \(not shipped yet\)/);
    assert.match(await page.textContent("[data-test=history]"), /Acknowledged → Resolved by admin token/);

    const { body } = await api(`/v1/groups/${crash.id}`);
    assert.equal(body.group.status, "resolved");
    assert.equal(body.group.resolved_in_release, "1.5.0");

    // CI records the release: the group's fix has shipped.
    assert.equal((await api("/v1/releases", { method: "POST", key: KEYS.ingest, body: JSON.stringify({ version: "1.5.0" }) })).status, 201);
    await go(page, `#/groups/${crash.id}`);
    assert.match(await page.textContent("[data-test=triage]"), /in release 1\.5\.0 \(shipped/);
    await shot(page, "group-resolved");
    assert.deepEqual(trouble, { dialogs: [], errors: [] });
    await page.close();
  });

  it("lets an admin halt a running execution; the agent gets the directive with its next batch", async () => {
    const { page, trouble } = await signedIn(ADMIN_TOKEN, { project: "dev" });
    await go(page, "#/executions/checkout-live");
    await page.click("[data-test=halt-button]");
    await page.fill("[data-test=halt] input[name=reason]", "charging a declined card in a loop");
    await page.click("[data-test=halt-confirm]");
    await page.waitForSelector("[data-test=halted]");
    assert.equal(await page.locator("[data-test=halt-button]").count(), 0);

    const next = await api("/v1/events", {
      method: "POST",
      key: KEYS.ingest,
      body: JSON.stringify({ events: [{ id: "checkout-live-after-halt", execution_id: "checkout-live", type: "tool_call", tool: "charge_card", status: "ok" }] }),
    });
    assert.deepEqual(
      next.body.directives.map((d) => [d.execution_id, d.action, d.failure_class, d.signature]),
      [["checkout-live", "halt", "tool_failure", "charge_card:CardDeclined"]],
    );
    assert.deepEqual(trouble, { dialogs: [], errors: [] });
    await page.close();
  });

  it("never runs script from an event, a signature or a playbook", async () => {
    const { page, trouble } = await signedIn(ADMIN_TOKEN, { project: "dev" });
    const hostile = groups.find((g) => g.signature.includes("onerror"));
    assert.ok(hostile, "the hostile run made a group");
    assert.equal(hostile.signature, `${HOSTILE.tool}:${HOSTILE.errorType}`);

    // A playbook with every trick, served in place of the real one.
    const hostileMarkdown = [
      "## Heading <img src=x onerror=\"window.__pwned='heading'\">",
      "<script>window.__pwned='script'</script>",
      "[click me](javascript:window.__pwned='link') and [data](data:text/html,<script>alert(1)</script>)",
      "![image](x\" onerror=\"window.__pwned='image')",
      "<iframe src=\"javascript:alert('iframe')\"></iframe>",
      "- item <b onmouseover=\"window.__pwned='item'\">bold</b> `<svg onload=alert(1)>`",
      "```html",
      "</code></pre><script>window.__pwned='fence'</script>",
      "```",
    ].join("\n");
    await page.route(
      (url) => url.pathname === `/v1/groups/${hostile.id}`,
      async (route) => {
        const response = await route.fetch();
        const body = await response.json();
        body.playbook.markdown = hostileMarkdown;
        await route.fulfill({ response, json: body });
      },
    );

    await go(page, `#/groups/${hostile.id}`);
    assert.equal(await page.textContent("[data-test=signature]"), hostile.signature);
    assert.match(await page.textContent("[data-test=playbook]"), /<script>window.__pwned='script'<\/script>/);
    assert.equal(await page.locator("[data-test=playbook] a").count(), 0, "no javascript: or data: link survives");
    await page.hover("[data-test=playbook] li");

    await go(page, "#/executions/hostile-1");
    for (const summary of await page.locator("details.event summary").all()) await summary.click();
    assert.match(await page.textContent("[data-test=timeline]"), /<iframe srcdoc=/);
    assert.match(await page.textContent("main h1"), /<svg onload=/);

    await go(page, "#/groups");
    await page.fill("#filter-q", "<img");
    await rerender(page, () => page.press("#filter-q", "Enter"));
    assert.equal(await page.locator(".groups-table tbody tr").count(), 1);
    await go(page, "#/");
    await go(page, "#/digests");

    // Whatever the views built: no element or handler from the data, no script ran, no dialog opened.
    for (const hash of [`#/groups/${hostile.id}`, "#/executions/hostile-1"]) {
      await go(page, hash);
      const injected = await page.evaluate(() => document.querySelectorAll("main script, main img, main iframe, main [onerror], main [onload], main [onmouseover], main a[href^='javascript:'], main a[href^='data:']").length);
      assert.equal(injected, 0, `injected elements on ${hash}`);
    }
    assert.equal(await page.evaluate(() => window.__pwned), undefined);
    // And the CSP would stop an inline script even if one were ever inserted.
    const probe = await page.evaluate(() => {
      const s = document.createElement("script");
      s.textContent = "window.__cspProbe = 1";
      document.body.append(s);
      return window.__cspProbe;
    });
    assert.equal(probe, undefined);
    assert.deepEqual(trouble, { dialogs: [], errors: [] });
    await page.close();
  });

  it("takes screenshots of the main views (UPDATE_SCREENSHOTS=1)", { skip: !SHOTS }, async () => {
    const signin = await browser.newPage();
    await signin.goto(`${vigil.dashboard}/#/`);
    await signin.fill("#api-base", vigil.api);
    await shot(signin, "sign-in");
    await signin.close();
    const { page } = await signedIn(ADMIN_TOKEN, { project: "dev" });
    await shot(page, "overview");
    await go(page, "#/groups");
    await shot(page, "groups");
    await go(page, `#/groups/${groupBySignature("search_flights:TimeoutError").id}`);
    await shot(page, "group");
    await go(page, "#/executions/trip-42");
    await page.click("details.event summary >> nth=1");
    await shot(page, "execution-topology");
    await go(page, "#/executions/checkout-live");
    await shot(page, "execution-halted");
    await go(page, "#/settings");
    await shot(page, "settings");
    await go(page, "#/digests");
    await shot(page, "digests");
    await page.close();
  });
});

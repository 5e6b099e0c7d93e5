// The Cron Trigger (hourly, wrangler.toml). Digests are built here by the triage-loop work; until
// then the run only records that it happened.
export async function runScheduled(controller: ScheduledController, _env: Env, _ctx: ExecutionContext): Promise<void> {
  console.log(JSON.stringify({ message: "scheduled run", cron: controller.cron, scheduled_time: new Date(controller.scheduledTime).toISOString() }));
}

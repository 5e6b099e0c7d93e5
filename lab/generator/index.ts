// The traffic generator: a seeded timeline of clean runs with injected failures, and its ground
// truth. Pure: the same options give byte-identical units and truth.
//
// Timeline. A warm-up hour of clean traffic, then `slots` slots of 4 hours. Clean airline runs
// start at random times; the itinerary-digest cron runs every 10 minutes. Episodes (window-based
// classes) sit at fixed offsets in a slot (modes/project.ts EPISODE_OFFSETS_MIN); the off-topic
// episode owns its 90 minutes (no other airline-support run starts in it), as a broken deploy would.
// Per-execution injections start at random times like clean runs.
import { TENANTS, cleanAirline, digestRun, multiAgentRun, pickTrajectory, specialistRun, trajectoryLabel } from "./clean.ts";
import type { Corpora } from "./corpora.ts";
import { loadCorpora } from "./corpora.ts";
import { EPISODE_OFFSETS_MIN } from "./modes/project.ts";
import { MODES, MODE_BY_NAME } from "./modes/index.ts";
import type { Built, ModeSpec } from "./modes/types.ts";
import { Rng } from "./prng.ts";
import type { GroundTruth, Injection, LabExecution, Traffic, TruthExecution, Unit } from "./types.ts";

export const MINUTE = 60_000;
export const SLOT_MS = 240 * MINUTE;
export const WARMUP_MS = 60 * MINUTE;
const DIGEST_EVERY_MS = 10 * MINUTE;
/** The default window of the drift and rejection-spike detectors. */
const WINDOW_MS = 60 * MINUTE;
/** Every n-th airline run goes through the triage router (multi-agent). */
const MULTI_AGENT_EVERY = 5;

export interface GenerateOptions {
  seed: number;
  /** Clean airline-support runs (the digest cron's runs come on top). */
  clean: number;
  /** Forced mode: instances per injected mode. */
  perMode: number;
  /** Forced mode: inject only these modes (default: all). */
  modes?: readonly string[];
  /** Probabilistic mode: per-mode probabilities (missing modes use their default), times `multiplier`. */
  probabilistic?: boolean;
  probabilities?: Record<string, number>;
  multiplier?: number;
  /** Epoch ms where the timeline starts. */
  baseTime: number;
  /** Execution id prefix (distinguishes runs sharing a project, e.g. the demo). */
  prefix?: string;
  corpora?: Corpora;
}

interface Planned {
  mode: ModeSpec;
  start: number;
  slot: number;
}

export function generate(options: GenerateOptions): Traffic {
  const corpora = options.corpora ?? loadCorpora();
  const rng = new Rng(options.seed);
  const prefix = options.prefix ?? `lab${options.seed}`;
  const multiplier = options.multiplier ?? 1;
  const selected = options.modes?.length ? options.modes.map((m) => MODE_BY_NAME.get(m) ?? fail(`unknown mode ${m}`)) : [...MODES];
  const episodeModes = selected.filter((m) => m.scope === "episode");
  const slots = Math.max(4, options.probabilistic ? Math.ceil(options.clean / 50) : Math.max(episodeModes.length ? options.perMode : 0, Math.ceil(options.clean / 50)));
  const t0 = options.baseTime;
  const slotStart = (s: number) => t0 + WARMUP_MS + s * SLOT_MS;
  const end = slotStart(slots);

  // Episodes: which slots hold which episode.
  const placeRng = rng.fork("plan");
  const planned: Planned[] = [];
  const exclusive: [number, number][] = [];
  const episodeAt = (mode: ModeSpec, s: number) => slotStart(s) + EPISODE_OFFSETS_MIN[mode.mode]!.at * MINUTE;
  for (const mode of episodeModes) {
    for (let s = 0; s < slots; s++) {
      const inject = options.probabilistic ? placeRng.chance(Math.min(1, (options.probabilities?.[mode.mode] ?? mode.probability) * multiplier)) : s < options.perMode;
      if (!inject) continue;
      planned.push({ mode, start: episodeAt(mode, s), slot: s });
      const o = EPISODE_OFFSETS_MIN[mode.mode]!;
      // A run starting up to 15 minutes before still talks into the window.
      if (o.exclusive) exclusive.push([episodeAt(mode, s) - 20 * MINUTE, episodeAt(mode, s) + o.length * MINUTE]);
    }
  }
  const costSlots = new Set(planned.filter((p) => p.mode.mode === "cost_velocity").map((p) => p.slot));
  const free = (t: number) => !exclusive.some(([a, b]) => t >= a && t < b);
  const randomStart = (r: Rng) => {
    for (;;) {
      const t = t0 + WARMUP_MS + Math.floor(r.next() * (end - t0 - WARMUP_MS - 30 * MINUTE));
      if (free(t)) return t;
    }
  };

  // Airline runs: clean, or (probabilistic) injected with one execution-scope mode.
  const execModes = selected.filter((m) => m.scope === "execution");
  const airline: { start: number; mode: ModeSpec | null }[] = [];
  const timeRng = rng.fork("times");
  // The warm-up hour: a dense, representative first window (the drift baseline is taken from it).
  const warm = Math.min(options.clean, 24);
  for (let k = 0; k < warm; k++) airline.push({ start: t0 + Math.floor((k * WARMUP_MS) / warm), mode: null });
  for (let k = warm; k < options.clean; k++) {
    let mode: ModeSpec | null = null;
    if (options.probabilistic) {
      for (const m of execModes) if (placeRng.chance(Math.min(1, (options.probabilities?.[m.mode] ?? m.probability) * multiplier))) {
        mode = m;
        break;
      }
    }
    airline.push({ start: randomStart(timeRng), mode });
  }
  if (!options.probabilistic) for (const m of execModes) for (let i = 0; i < options.perMode; i++) airline.push({ start: randomStart(timeRng), mode: m });
  for (const p of planned) airline.push({ start: p.start, mode: p.mode });
  airline.sort((a, b) => a.start - b.start || (a.mode?.mode ?? "").localeCompare(b.mode?.mode ?? ""));

  const units: Unit[] = [];
  const truthExecs: TruthExecution[] = [];
  const injections: Injection[] = [];
  const modeCounts = new Map<string, number>();
  const buildRng = rng.fork("build");
  let cleanN = 0;

  const addUnit = (id: string, executions: LabExecution[]) => {
    const times = executions.flatMap((e) => e.events.map((ev) => ev.timestamp));
    units.push({ id, start: Math.min(...times), end: Math.max(...times), executions });
  };

  for (const a of airline) {
    const tenant = TENANTS[(cleanN + injections.length) % TENANTS.length]!;
    if (!a.mode) {
      const id = `${prefix}-c${String(cleanN).padStart(5, "0")}`;
      const traj = pickTrajectory(corpora, buildRng);
      const r = buildRng.fork(id);
      const multi = cleanN % MULTI_AGENT_EVERY === MULTI_AGENT_EVERY - 1;
      const executions = multi ? multiAgentRun(id, tenant, a.start, traj, r, specialistRun(traj, tenant, id, r)).executions : cleanAirline(id, tenant, a.start, traj, r);
      for (const e of executions) truthExecs.push({ execution_id: e.id, unit_id: id, role: "clean", injection_id: null, mode: null, allowed_classes: [], clean_run: trajectoryLabel(traj) });
      addUnit(id, executions);
      cleanN++;
      continue;
    }
    const index = modeCounts.get(a.mode.mode) ?? 0;
    modeCounts.set(a.mode.mode, index + 1);
    const id = `${prefix}-${a.mode.mode.replaceAll("_", "-")}-${String(index).padStart(3, "0")}`;
    const tenants = [...TENANTS.slice(index % TENANTS.length), ...TENANTS.slice(0, index % TENANTS.length)];
    const built: Built = a.mode.build({ id, index, start: a.start, tenant, tenants, rng: buildRng.fork(id), corpora });
    const implied = built.implied ?? {};
    injections.push({
      id,
      mode: a.mode.mode,
      failure_class: a.mode.failure_class,
      variant: built.variant,
      unit_id: id,
      executions: built.executions.map((e) => e.id),
      detect_on: built.detect_on,
      completing_event_id: built.completing.id,
      completing_execution_id: built.completing.execution_id,
      implied,
      source: built.source ?? null,
      description: built.description,
      clean_run: built.clean_run,
    });
    for (const e of built.executions) {
      const target = built.detect_on.includes(e.id);
      truthExecs.push({
        execution_id: e.id,
        unit_id: id,
        role: target ? "target" : "member",
        injection_id: id,
        mode: a.mode.mode,
        allowed_classes: [...new Set([...(target ? [a.mode.failure_class] : []), ...(implied[e.id] ?? [])])].sort(),
        clean_run: built.clean_run,
      });
    }
    addUnit(id, built.executions);
  }

  // The itinerary-digest cron: clean except inside a cost_velocity episode's hour.
  const digestRng = rng.fork("digest");
  for (let t = t0 + 5 * MINUTE, k = 0; t < end; t += DIGEST_EVERY_MS, k++) {
    const inSlot = Math.floor((t - t0 - WARMUP_MS) / SLOT_MS);
    const offset = t - slotStart(inSlot);
    const o = EPISODE_OFFSETS_MIN["cost_velocity"]!;
    if (t >= t0 + WARMUP_MS && costSlots.has(inSlot) && offset >= o.at * MINUTE && offset < (o.at + o.length) * MINUTE) continue;
    const id = `${prefix}-digest-${String(k).padStart(5, "0")}`;
    const ex = digestRun(id, TENANTS[k % TENANTS.length]!, t, digestRng.pick(corpora.reservations), digestRng.fork(id));
    truthExecs.push({ execution_id: id, unit_id: id, role: "clean", injection_id: null, mode: null, allowed_classes: [], clean_run: "itinerary-digest cron run" });
    addUnit(id, [ex]);
  }

  units.sort((a, b) => a.start - b.start || a.id.localeCompare(b.id));

  // Window findings (drift, rejection spikes) are attributed to the newest signal of the request
  // that tipped the window, which may be a clean run's call or answer while the episode is inside
  // the detector's window (from its first signal to an hour after its last). Those runs become the
  // episode's context: a finding of its class there is the episode's, not a false positive.
  const byId = new Map(truthExecs.map((e) => [e.execution_id, e]));
  const events = new Map(units.flatMap((u) => u.executions.map((e) => [e.id, e.events] as const)));
  const signalOf: Record<string, string> = { drift: "llm_call", hitl_rejection_spike: "human_intervention" };
  for (const inj of injections) {
    const kind = signalOf[inj.failure_class];
    if (!kind) continue;
    const own = inj.executions.flatMap((id) => events.get(id)!).filter((e) => e.type === kind).map((e) => e.timestamp);
    const [from, to] = [Math.min(...own), Math.max(...own) + WINDOW_MS];
    for (const [id, evs] of events) {
      const t = byId.get(id)!;
      if (inj.executions.includes(id) || !evs.some((e) => e.type === kind && e.timestamp >= from && e.timestamp <= to)) continue;
      if (t.role === "clean") {
        t.role = "context";
        t.injection_id = inj.id;
      }
      t.allowed_classes = [...new Set([...t.allowed_classes, inj.failure_class])].sort();
      inj.detect_on.push(id);
    }
  }
  const truth: GroundTruth = {
    seed: options.seed,
    base_time: t0,
    options: {
      clean: options.clean,
      per_mode: options.perMode,
      modes: selected.map((m) => m.mode),
      probabilistic: options.probabilistic ?? false,
      probabilities: options.probabilistic ? Object.fromEntries(selected.map((m) => [m.mode, options.probabilities?.[m.mode] ?? m.probability])) : null,
      multiplier,
      slots,
    },
    injections,
    executions: truthExecs,
  };
  return { units, truth };
}

function fail(message: string): never {
  throw new Error(message);
}

// The failure-group lifecycle: which transitions a person may make. `regressed` is only ever set by
// Vigil (a recurrence after the fix shipped), and archived groups come back by themselves only when
// archived "until escalation" and they escalate.

export const GROUP_STATUSES = ["open", "acknowledged", "fix_in_progress", "resolved", "regressed", "archived"] as const;
export type GroupStatus = (typeof GROUP_STATUSES)[number];

const ALLOWED: Record<GroupStatus, readonly GroupStatus[]> = {
  open: ["acknowledged", "fix_in_progress", "resolved", "archived"],
  acknowledged: ["open", "fix_in_progress", "resolved", "archived"],
  fix_in_progress: ["open", "acknowledged", "resolved", "archived"],
  resolved: ["open", "archived"],
  regressed: ["acknowledged", "fix_in_progress", "resolved", "archived"],
  archived: ["open"],
};

export function allowedTransitions(from: GroupStatus): readonly GroupStatus[] {
  return ALLOWED[from];
}

/** Null when the transition is allowed, else why not (the 409's message). */
export function transitionError(from: GroupStatus, to: GroupStatus): string | null {
  if (to === "regressed") return "Only Vigil marks a group regressed, when the failure recurs after its fix shipped.";
  if (ALLOWED[from].includes(to)) return null;
  if (from === to) return `The group is already ${from}.`;
  return `A ${from} group cannot become ${to}; from ${from} it can become ${ALLOWED[from].join(", ")}.`;
}

export const ARCHIVE_MODES = ["until_escalation", "forever"] as const;
export type ArchiveMode = (typeof ARCHIVE_MODES)[number];

/**
 * An archived-until-escalation group escalates when it is seen at a higher severity than when it
 * was archived, or when it has at least doubled its occurrences (and by at least 10) since.
 */
export const ESCALATION_MIN_NEW_OCCURRENCES = 10;

// Playbook lookup by (class, signature): the first variant of the class (file-name order) whose
// pattern matches the signature, else the class default.
import type { PlaybookEntry } from "../../playbooks/catalog.generated.ts";
import { PLAYBOOKS } from "../../playbooks/catalog.generated.ts";

interface ClassPlaybooks {
  fallback: PlaybookEntry | null;
  variants: { pattern: RegExp; entry: PlaybookEntry }[];
}

const byClass = new Map<string, ClassPlaybooks>();
for (const entry of PLAYBOOKS) {
  let slot = byClass.get(entry.failure_class);
  if (!slot) byClass.set(entry.failure_class, (slot = { fallback: null, variants: [] }));
  if (entry.match === null) slot.fallback = entry;
  else slot.variants.push({ pattern: new RegExp(entry.match, "i"), entry });
}

export function findPlaybook(failureClass: string, signature: string | null): PlaybookEntry | null {
  const slot = byClass.get(failureClass);
  if (!slot) return null;
  if (signature) for (const v of slot.variants) if (v.pattern.test(signature)) return v.entry;
  return slot.fallback;
}

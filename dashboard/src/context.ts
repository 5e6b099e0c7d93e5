// What every view receives: the API client, the session, and navigation.
import type { Api, Session } from "./api.ts";

export interface Ctx {
  api: Api;
  session: Session;
  /** Goes to a hash route, e.g. "#/groups?status=open". */
  navigate(hash: string): void;
  /** Renders the current route again (after a change). */
  refresh(): void;
  signOut(): void;
}

/** The reason triage controls are disabled with a read key; shown next to them. */
export const NEEDS_ADMIN = "Needs an admin key: sign in with a project admin key (vk_admin_…) or the admin token to triage.";

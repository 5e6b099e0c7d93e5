// Failure group ids are derived, never allocated: the same (project, class, signature) gives the
// same id in every object and every request, so writers need no coordination to agree on a group.
const encoder = new TextEncoder();

export async function groupIdFor(projectId: string, failureClass: string, signature: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", encoder.encode(`${projectId}\u0000${failureClass}\u0000${signature}`));
  const hex = [...new Uint8Array(digest, 0, 16)].map((b) => b.toString(16).padStart(2, "0")).join("");
  return `g_${hex}`;
}

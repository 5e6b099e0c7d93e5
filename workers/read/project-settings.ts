/** The project's stored override (not merged with defaults); {} when it has none or it is unreadable. */
export async function loadStoredSettings(db: D1Database, projectId: string): Promise<Record<string, unknown>> {
  const row = await db.prepare("SELECT settings FROM projects WHERE id = ?").bind(projectId).first<{ settings: string }>();
  try {
    return row ? (JSON.parse(row.settings) as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

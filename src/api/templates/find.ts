import { getTemplate, type Template } from '../../store/templates.ts';
import { mayUseService, type ApiAuth } from '../auth.ts';
import type { ApiDeps } from '../deps.ts';

/** The template, if this key may see it: its own ente's, and one of its services when restricted. */
export async function findVisibleTemplate(deps: ApiDeps, auth: ApiAuth, id: string, version?: number): Promise<Template | undefined> {
  const t = await getTemplate(deps.database.db, auth.enteId, id, version);
  return t && mayUseService(auth, t.serviceId) ? t : undefined;
}

/**
 * Who may do what in the web UI, as one table. Roles are per ente; `admin` is the aggregator's
 * operator and may do everything on every ente. Pages and forms ask `can(role, action)`.
 */
export const ROLES = ['viewer', 'sender', 'manager', 'admin'] as const;
export type UserRole = (typeof ROLES)[number];

export const ACTIONS = ['view', 'send', 'cancel', 'manage_keys', 'manage_templates'] as const;
export type Action = (typeof ACTIONS)[number];

const ALLOWED: Readonly<Record<UserRole, readonly Action[]>> = {
  viewer: ['view'],
  sender: ['view', 'send', 'cancel'],
  manager: ['view', 'send', 'cancel', 'manage_keys', 'manage_templates'],
  admin: ACTIONS,
};

export function can(role: UserRole | null | undefined, action: Action): boolean {
  return role ? ALLOWED[role].includes(action) : false;
}

/** Italian names of the roles, as the UI shows them. */
export const ROLE_LABELS: Readonly<Record<UserRole, string>> = {
  viewer: 'Consultazione',
  sender: 'Invio',
  manager: 'Gestione',
  admin: 'Amministratore',
};

/** The admin commands, one function each: `(context, parsed options)`, callable from the CLI and from tests. */
export { createEnteCommand, listEntiCommand, ENTE_MODES, type CreateEnteOptions } from './ente-commands.ts';
export { createServiceCommand, listServicesCommand, defaultIoAccount, type CreateServiceOptions } from './service-commands.ts';
export { createApiKeyCommand, listApiKeysCommand, revokeApiKeyCommand, type CreateApiKeyOptions } from './api-key-commands.ts';
export { withAdminDatabase, type AdminContext } from './context.ts';
export { grantCommand, revokeCommand, listUsersCommand, ROLES, type GrantOptions } from './user-commands.ts';

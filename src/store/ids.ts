import { monotonicFactory } from 'ulid';

/** ULIDs: sortable by creation time, so `id` orders messages and pages them with a cursor. */
export const newId: () => string = monotonicFactory();

import { describe, expect, it } from 'vitest';
import { ACTIONS, can, ROLES } from '../../src/domain/permissions.ts';

/** The whole table, written out: a change to who may do what shows here. */
const TABLE = {
  viewer: { view: true, send: false, cancel: false, manage_keys: false, manage_templates: false },
  sender: { view: true, send: true, cancel: true, manage_keys: false, manage_templates: false },
  manager: { view: true, send: true, cancel: true, manage_keys: true, manage_templates: true },
  admin: { view: true, send: true, cancel: true, manage_keys: true, manage_templates: true },
} as const;

describe('can(role, action)', () => {
  for (const role of ROLES) {
    for (const action of ACTIONS) {
      it(`${role} ${TABLE[role][action] ? 'may' : 'may not'} ${action}`, () => expect(can(role, action)).toBe(TABLE[role][action]));
    }
  }
  it('no role may do nothing', () => {
    for (const action of ACTIONS) expect(can(null, action)).toBe(false);
  });
});

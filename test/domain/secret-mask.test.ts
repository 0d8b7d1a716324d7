import { describe, expect, it } from 'vitest';
import { maskSecret } from '../../src/domain/secret-mask.ts';

describe('maskSecret', () => {
  it.each([
    ['0123456789abcdef0123456789abcdef', '0123…'],
    ['abcdefgh', 'abcd…'],
    ['abcdefg', '***'],
    ['', '***'],
  ])('%j → %j', (input, expected) => {
    expect(maskSecret(input)).toBe(expected);
  });

  it('never contains more than the first 4 characters of the secret', () => {
    const key = 'SECRETKEY-9f8e7d6c5b4a';
    expect(maskSecret(key)).not.toContain(key.slice(4, 8));
  });
});

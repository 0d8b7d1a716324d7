import { describe, expect, it } from 'vitest';
import {
  AMOUNT_MAX,
  AMOUNT_MIN,
  IO_TEST_FISCAL_CODE,
  MARKDOWN_MAX,
  MARKDOWN_MIN,
  REFERENCE_MAX,
  SUBJECT_MAX,
  SUBJECT_MIN,
} from '../../src/domain/limits.ts';

describe('limits', () => {
  // Pinned against FACTS.md §3/§9/§10: changing one must be a conscious decision.
  it.each([
    ['SUBJECT_MIN', SUBJECT_MIN, 10],
    ['SUBJECT_MAX', SUBJECT_MAX, 120],
    ['MARKDOWN_MIN', MARKDOWN_MIN, 80],
    ['MARKDOWN_MAX', MARKDOWN_MAX, 10000],
    ['AMOUNT_MIN', AMOUNT_MIN, 1],
    ['AMOUNT_MAX', AMOUNT_MAX, 9999999999],
    ['REFERENCE_MAX', REFERENCE_MAX, 200],
  ])('%s is %d', (_name, actual, expected) => {
    expect(actual).toBe(expected);
  });

  it('IO test fiscal code is the sandbox citizen', () => {
    expect(IO_TEST_FISCAL_CODE).toBe('AAAAAA00A00A000A');
  });
});

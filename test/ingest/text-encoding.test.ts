import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import iconv from 'iconv-lite';
import { afterAll, describe, expect, it } from 'vitest';
import { bomLength, decodeWindows1252, detectEncoding } from '../../src/ingest/text-encoding.ts';

const TMP = fs.mkdtempSync(path.join(os.tmpdir(), 'genio-encoding-'));
afterAll(() => fs.rmSync(TMP, { recursive: true, force: true }));

/** detectEncoding reads 1 MiB at a time. */
const CHUNK = 1 << 20;

function file(name: string, bytes: Buffer): string {
  const p = path.join(TMP, name);
  fs.writeFileSync(p, bytes);
  return p;
}

describe('detectEncoding', () => {
  it.each([
    ['€', 1],
    ['€', 2], // 3-byte character cut after its first or second byte
    ['à', 1],
    ['😀', 3],
  ])('keeps a character %s cut %i byte(s) before a chunk boundary as UTF-8', async (char, before) => {
    const bytes = Buffer.concat([Buffer.alloc(CHUNK - before, 'a'), Buffer.from(`${char}bc`, 'utf8')]);
    expect(await detectEncoding(file('cut.csv', bytes))).toBe('utf-8');
  });

  it('says 1252 for an invalid byte in a later chunk', async () => {
    const bytes = Buffer.concat([Buffer.alloc(3 * CHUNK, 'a'), iconv.encode('Perché', 'win1252')]);
    expect(await detectEncoding(file('late.csv', bytes))).toBe('windows-1252');
  });

  it('says 1252 for 1252 text cut by a chunk boundary (0xE0 "à" followed by ASCII)', async () => {
    const bytes = Buffer.concat([Buffer.alloc(CHUNK - 1, 'a'), Buffer.from([0xe0]), Buffer.from(' la')]);
    expect(await detectEncoding(file('cut-1252.csv', bytes))).toBe('windows-1252');
  });

  it('says 1252 when the file ends in the middle of a UTF-8 character', async () => {
    expect(await detectEncoding(file('truncated.csv', Buffer.from([0x61, 0xe2, 0x82])))).toBe('windows-1252');
  });

  it('says UTF-8 for plain ASCII, for a BOM and for an empty file', async () => {
    expect(await detectEncoding(file('ascii.csv', Buffer.from('a;b\r\n1;2\r\n')))).toBe('utf-8');
    expect(await detectEncoding(file('bom.csv', Buffer.from('\uFEFFa;b\n', 'utf8')))).toBe('utf-8');
    expect(await detectEncoding(file('empty.csv', Buffer.alloc(0)))).toBe('utf-8');
  });
});

describe('decodeWindows1252', () => {
  it('decodes every byte exactly as iconv-lite does', () => {
    const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    expect(decodeWindows1252(all)).toBe(iconv.decode(all, 'win1252'));
  });

  it('reads the bytes Italian Excel writes for € ’ “ ” – and accents', () => {
    expect(decodeWindows1252(Buffer.from([0x80, 0x92, 0x93, 0x94, 0x96, 0xe0, 0xe8, 0xe9, 0xec, 0xf2, 0xf9, 0xc0]))).toBe('€’“”–àèéìòùÀ');
  });
});

describe('bomLength', () => {
  it('is 3 only for the UTF-8 BOM', () => {
    expect(bomLength(Buffer.from([0xef, 0xbb, 0xbf, 0x61]))).toBe(3);
    expect(bomLength(Buffer.from([0xef, 0xbb]))).toBe(0);
    expect(bomLength(Buffer.from([0xff, 0xfe, 0x61, 0x00]))).toBe(0);
  });
});

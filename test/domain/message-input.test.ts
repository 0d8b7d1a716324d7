import { describe, expect, it } from 'vitest';
import type { FieldError } from '../../src/domain/field-error.ts';
import { type MessageInput, type MessageRules, validateMessageInput } from '../../src/domain/message-input.ts';

const NOW = new Date('2026-05-01T10:00:00Z');
const RULES: MessageRules = { now: NOW, maxPaymentAmount: 100_000 };

const SUBJECT = 'Avviso TARI 2026';
const MARKDOWN = 'Gentile contribuente, '.padEnd(100, 'x');

function base(overrides: Partial<MessageInput> = {}): MessageInput {
  return { fiscal_code: 'RSSMRA79B11C566R', subject: SUBJECT, markdown: MARKDOWN, ...overrides };
}

function errorsOf(input: MessageInput, rules: MessageRules = RULES): FieldError[] {
  const r = validateMessageInput(input, rules);
  if (r.ok) throw new Error('expected validation errors, got ok');
  return r.errors;
}

function codesOf(input: MessageInput, rules: MessageRules = RULES): Array<[string, string]> {
  return errorsOf(input, rules).map((e) => [e.field, e.code]);
}

function validOf(input: MessageInput, rules: MessageRules = RULES) {
  const r = validateMessageInput(input, rules);
  if (!r.ok) throw new Error(`expected ok, got ${JSON.stringify(r.errors)}`);
  return r.value;
}

describe('validateMessageInput: valid input', () => {
  it('returns the normalized message with defaults', () => {
    expect(validOf(base({ fiscal_code: ' rssmra79b11c566r ' }))).toEqual({
      fiscalCode: 'RSSMRA79B11C566R',
      subject: SUBJECT,
      markdown: MARKDOWN,
      dueDate: null,
      payment: null,
      scheduledAt: null,
      reference: null,
    });
  });

  it('accepts every optional field', () => {
    const v = validOf(
      base({
        due_date: '2026-10-25',
        payment_data: {
          amount: 12_345,
          notice_number: '301011100007347557',
          invalid_after_due_date: true,
          payee_fiscal_code: '00907501001',
        },
        scheduled_at: '2026-05-02T09:00',
        reference: 'TARI-2026/0001',
      }),
    );
    expect(v.dueDate?.toISOString()).toBe('2026-10-25T22:59:59.000Z');
    expect(v.payment).toEqual({
      amount: 12_345,
      noticeNumber: '301011100007347557',
      invalidAfterDueDate: true,
      payeeFiscalCode: '00907501001',
    });
    expect(v.scheduledAt?.toISOString()).toBe('2026-05-02T07:00:00.000Z');
    expect(v.reference).toBe('TARI-2026/0001');
  });

  it('defaults invalid_after_due_date to false and payee to null', () => {
    const v = validOf(base({ payment_data: { amount: 1, notice_number: '301011100007347557' } }));
    expect(v.payment).toEqual({
      amount: 1,
      noticeNumber: '301011100007347557',
      invalidAfterDueDate: false,
      payeeFiscalCode: null,
    });
  });

  it('treats null and blank optional fields as absent (CSV cells, form inputs)', () => {
    const v = validOf(base({ due_date: '', scheduled_at: '  ', reference: null, payment_data: null }));
    expect(v).toMatchObject({ dueDate: null, scheduledAt: null, reference: null, payment: null });
  });

  it('accepts IO test citizen', () => {
    expect(validOf(base({ fiscal_code: 'AAAAAA00A00A000A' })).fiscalCode).toBe('AAAAAA00A00A000A');
  });
});

describe('validateMessageInput: all errors at once', () => {
  it('refuses a NUL character in any text, naming the field (PostgreSQL cannot store one)', () => {
    const nul = '\u0000';
    expect(codesOf(base({ subject: `${SUBJECT}${nul}`, markdown: `${MARKDOWN}${nul}`, reference: `rif${nul}` }))).toEqual([
      ['subject', 'invalid_character'],
      ['markdown', 'invalid_character'],
      ['reference', 'invalid_character'],
    ]);
  });

  it('reports one error per wrong field, never stopping at the first', () => {
    const errors = errorsOf({
      fiscal_code: 'RSSMRA79B11C566X',
      subject: 'Hi!!',
      markdown: 42,
      due_date: '2026-02-30',
      payment_data: { amount: 0, notice_number: '301011100007347558' },
      scheduled_at: '2026-04-30T10:00:00Z',
      reference: 'r'.repeat(201),
    });
    expect(errors.map((e) => [e.field, e.code])).toEqual([
      ['fiscal_code', 'check_character'],
      ['subject', 'too_short'],
      ['markdown', 'type'],
      ['due_date', 'invalid_date'],
      ['payment_data.amount', 'out_of_range'],
      ['payment_data.notice_number', 'check_digits'],
      ['scheduled_at', 'in_the_past'],
      ['reference', 'too_long'],
    ]);
    for (const e of errors) expect(e.message.length).toBeGreaterThan(10);
  });

  it('reports six wrong fields as six errors', () => {
    expect(
      codesOf({
        fiscal_code: 12,
        subject: '   ',
        markdown: 'too short',
        due_date: 'tomorrow',
        payment_data: 'yes',
        reference: ['a'],
      }),
    ).toEqual([
      ['fiscal_code', 'type'],
      ['subject', 'required'],
      ['markdown', 'too_short'],
      ['due_date', 'format'],
      ['payment_data', 'type'],
      ['reference', 'type'],
    ]);
  });

  it('reports the three required fields when the input is empty', () => {
    expect(codesOf({})).toEqual([
      ['fiscal_code', 'required'],
      ['subject', 'required'],
      ['markdown', 'required'],
    ]);
  });

  it('reports all payment sub-field errors together', () => {
    expect(
      codesOf(
        base({
          payment_data: {
            amount: '100',
            notice_number: 301011100007347557,
            invalid_after_due_date: 'true',
            payee_fiscal_code: '12345678901',
          },
        }),
      ),
    ).toEqual([
      ['payment_data.amount', 'type'],
      ['payment_data.notice_number', 'type'],
      ['payment_data.invalid_after_due_date', 'type'],
      ['payment_data.payee_fiscal_code', 'check_digit'],
    ]);
  });

  it('requires amount and notice number inside payment_data', () => {
    expect(codesOf(base({ payment_data: {} }))).toEqual([
      ['payment_data.amount', 'required'],
      ['payment_data.notice_number', 'required'],
    ]);
  });

  it('rejects payment_data given as an array', () => {
    expect(codesOf(base({ payment_data: [] }))).toEqual([['payment_data', 'type']]);
  });
});

describe('validateMessageInput: fiscal code', () => {
  it.each([
    ['', 'required'],
    ['RSSMRA79B11C566', 'pattern'],
    ['RSSMRA79F11C566E', 'birth_date'],
    ['RSSMRA79B11C566X', 'check_character'],
  ])('%j → %s', (cf, code) => {
    expect(codesOf(base({ fiscal_code: cf }))).toEqual([['fiscal_code', code]]);
  });
});

describe('validateMessageInput: subject and markdown lengths', () => {
  it.each([
    [9, 'too_short'],
    [10, null],
    [11, null],
    [119, null],
    [120, null],
    [121, 'too_long'],
  ])('subject of %d characters → %s', (len, code) => {
    const r = validateMessageInput(base({ subject: 's'.repeat(len) }), RULES);
    if (code === null) expect(r.ok).toBe(true);
    else expect(r.ok ? [] : r.errors.map((e) => [e.field, e.code])).toEqual([['subject', code]]);
  });

  it.each([
    [79, 'too_short'],
    [80, null],
    [81, null],
    [9_999, null],
    [10_000, null],
    [10_001, 'too_long'],
  ])('markdown of %d characters → %s', (len, code) => {
    const r = validateMessageInput(base({ markdown: 'm'.repeat(len) }), RULES);
    if (code === null) expect(r.ok).toBe(true);
    else expect(r.ok ? [] : r.errors.map((e) => [e.field, e.code])).toEqual([['markdown', code]]);
  });

  it('names the limit and the actual length in the message', () => {
    expect(errorsOf(base({ subject: 'Ciao' }))[0].message).toBe('subject must be at least 10 characters (got 4)');
    expect(errorsOf(base({ subject: 's'.repeat(121) }))[0].message).toBe(
      'subject must be at most 120 characters (got 121)',
    );
    expect(errorsOf(base({ markdown: 'm'.repeat(79) }))[0].message).toBe(
      'markdown must be at least 80 characters (got 79)',
    );
  });

  it('measures length in UTF-16 code units as IO does', () => {
    expect(validateMessageInput(base({ subject: '😀'.repeat(5) }), RULES).ok).toBe(true); // length 10
    expect(codesOf(base({ subject: 'é'.repeat(9) }))).toEqual([['subject', 'too_short']]);
  });

  it('does not trim for length but treats whitespace-only as missing', () => {
    expect(validOf(base({ subject: '  Avviso  ' })).subject).toBe('  Avviso  ');
    expect(codesOf(base({ subject: ' \n\t ', markdown: ' '.repeat(100) }))).toEqual([
      ['subject', 'required'],
      ['markdown', 'required'],
    ]);
  });
});

describe('validateMessageInput: payment amount', () => {
  const nav = '301011100007347557';

  it.each([
    [1, 100_000, null],
    [100_000, 100_000, null],
    [100_001, 100_000, 'exceeds_service_maximum'],
    [9_999_999_999, 9_999_999_999, null],
    [10_000_000_000, 9_999_999_999, 'out_of_range'],
    [0, 100_000, 'out_of_range'],
    [-5, 100_000, 'out_of_range'],
    [1.5, 100_000, 'not_integer'],
    [Number.NaN, 100_000, 'not_integer'],
    [1, 0, 'exceeds_service_maximum'],
  ])('amount %d with service max %d → %s', (amount, max, code) => {
    const r = validateMessageInput(base({ payment_data: { amount, notice_number: nav } }), {
      now: NOW,
      maxPaymentAmount: max,
    });
    if (code === null) expect(r.ok).toBe(true);
    else expect(r.ok ? [] : r.errors.map((e) => [e.field, e.code])).toEqual([['payment_data.amount', code]]);
  });

  it('says the service maximum in cents', () => {
    const [e] = errorsOf(base({ payment_data: { amount: 150_000, notice_number: nav } }));
    expect(e.message).toContain('100000 cents');
  });

  it('says payments are not enabled when the service maximum is 0', () => {
    const [e] = errorsOf(base({ payment_data: { amount: 500, notice_number: nav } }), { now: NOW, maxPaymentAmount: 0 });
    expect(e.code).toBe('exceeds_service_maximum');
    expect(e.message).toContain('not enabled for payments');
  });

  it.each([
    ['30101110000734755', 'pattern'],
    ['401011100007347557', 'pattern'],
    ['301011100007347558', 'check_digits'],
  ])('notice number %s → %s', (notice, code) => {
    expect(codesOf(base({ payment_data: { amount: 100, notice_number: notice } }))).toEqual([
      ['payment_data.notice_number', code],
    ]);
  });

  it('accepts a legacy aux-0 notice number', () => {
    expect(validOf(base({ payment_data: { amount: 100, notice_number: '012345678901234567' } })).payment?.noticeNumber).toBe(
      '012345678901234567',
    );
  });

  it.each([
    ['1234567890', 'pattern'],
    ['12345678901', 'check_digit'],
  ])('payee %s → %s', (payee, code) => {
    expect(
      codesOf(base({ payment_data: { amount: 100, notice_number: nav, payee_fiscal_code: payee } })),
    ).toEqual([['payment_data.payee_fiscal_code', code]]);
  });
});

describe('validateMessageInput: due_date and scheduled_at', () => {
  it.each([
    ['2026-02-30', 'invalid_date'],
    ['30/02/2026', 'format'],
  ])('due_date %s → %s', (due, code) => {
    expect(codesOf(base({ due_date: due }))).toEqual([['due_date', code]]);
  });

  it('rejects a non-string due_date', () => {
    expect(codesOf(base({ due_date: 1_767_225_600_000 }))).toEqual([['due_date', 'type']]);
  });

  it('accepts a due_date in the past (IO does not require the future)', () => {
    expect(validOf(base({ due_date: '2020-01-01' })).dueDate?.toISOString()).toBe('2020-01-01T22:59:59.000Z');
  });

  it.each([
    ['2026-05-01T09:59:00Z', null], // exactly 60 s ago: tolerated
    ['2026-05-01T11:59', null], // Italian wall time = 09:59Z
    ['2026-05-01T12:00:00+02:00', null],
    ['2026-05-01T09:58:59Z', 'in_the_past'],
    ['2026-05-01T11:58', 'in_the_past'], // 09:58Z
    ['2026-05-02', 'format'], // plain date not accepted for scheduling
    ['2026-02-30T10:00', 'invalid_date'],
  ])('scheduled_at %s → %s', (at, code) => {
    const r = validateMessageInput(base({ scheduled_at: at }), RULES);
    if (code === null) expect(r.ok).toBe(true);
    else expect(r.ok ? [] : r.errors.map((e) => [e.field, e.code])).toEqual([['scheduled_at', code]]);
  });
});

describe('validateMessageInput: reference', () => {
  it.each([
    ['r'.repeat(200), null],
    ['r'.repeat(201), 'too_long'],
  ])('reference of length %#', (ref, code) => {
    const r = validateMessageInput(base({ reference: ref }), RULES);
    if (code === null) expect(r.ok && r.value.reference).toBe(ref);
    else expect(r.ok ? [] : r.errors.map((e) => [e.field, e.code])).toEqual([['reference', code]]);
  });

  it('rejects a numeric reference', () => {
    expect(codesOf(base({ reference: 42 }))).toEqual([['reference', 'type']]);
  });
});

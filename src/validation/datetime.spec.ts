import { describe, expect, it } from '@jest/globals';
import { validateDateTime } from './datetime.js';

const iso = (input: unknown, isFloat = false): string => {
  const r = validateDateTime(input, isFloat);
  if (!r.ok) throw new Error(`expected ${JSON.stringify(input)} to be valid, got ${JSON.stringify(r)}`);
  return r.value.toISOString();
};
const failure = (input: unknown, isFloat = false) => validateDateTime(input, isFloat);

describe('validateDateTime: accepted forms', () => {
  it.each([
    ['2024-01-02T03:04:05Z', '2024-01-02T03:04:05.000Z'],
    ['2024-01-02t03:04:05z', '2024-01-02T03:04:05.000Z'],
    ['2024-01-02 03:04:05', '2024-01-02T03:04:05.000Z'],
    ['2024-01-02_03:04', '2024-01-02T03:04:00.000Z'],
    ['2024-01-02T03:04:05.123456789+02:00', '2024-01-02T01:04:05.123Z'],
    ['2024-01-02T03:04:05,5-0130', '2024-01-02T04:34:05.500Z'],
    ['2024-01-02T03:04:05\u221201:00', '2024-01-02T04:04:05.000Z'],
    ['2024-02-29', '2024-02-29T00:00:00.000Z'],
    ['0001-01-01', '0001-01-01T00:00:00.000Z'],
    ['1700000000', '2023-11-14T22:13:20.000Z'],
    ['1700000000.5', '2023-11-14T22:13:20.500Z'],
    ['1700000000000', '2023-11-14T22:13:20.000Z'],
    ['-1', '1969-12-31T23:59:59.000Z'],
  ])('%j', (input, expected) => {
    expect(iso(input)).toBe(expected);
  });

  it('takes numbers as Unix timestamps, milliseconds beyond 2e10', () => {
    expect(iso(0)).toBe('1970-01-01T00:00:00.000Z');
    expect(iso(1700000000)).toBe('2023-11-14T22:13:20.000Z');
    expect(iso(1700000000.25, true)).toBe('2023-11-14T22:13:20.250Z');
    expect(iso(20_000_000_001)).toBe('1970-08-20T11:33:20.001Z');
    expect(iso(-1.5, true)).toBe('1969-12-31T23:59:58.500Z');
  });
});

describe('validateDateTime: errors', () => {
  it.each([
    ['', 'input is too short'],
    ['abc', 'input is too short'],
    ['not a date', 'invalid character in year'],
    ['2024/01/01', 'invalid date separator, expected `-`'],
    ['2024-1-01xx', 'invalid character in month'],
    ['2024-01-0x', 'invalid character in day'],
    ['2024-13-01', 'month value is outside expected range of 1-12'],
    ['2023-02-29', 'day value is outside expected range'],
    ['2024-01-00', 'day value is outside expected range'],
    // The datetime parse fails on the time; the date retry then trips on the extra text.
    ['2024-01-01T25:00:00', 'unexpected extra characters at the end of the input'],
    ['2024-01-01T10:00:00+25:00', 'unexpected extra characters at the end of the input'],
    ['2024-01-01X10:00', 'unexpected extra characters at the end of the input'],
    ['1e10', 'input is too short'],
    ['99999999999999999', 'dates after 9999 are not supported as unix timestamps'],
    ['1700000001', undefined],
  ])('%j -> datetime_from_date_parsing', (input, error) => {
    const r = failure(input);
    if (error === undefined) {
      expect(r.ok).toBe(true);
      return;
    }
    expect(r).toEqual({ ok: false, type: 'datetime_from_date_parsing', error });
  });

  it('reports numbers out of range as datetime_parsing', () => {
    expect(failure(1e20, true)).toEqual({ ok: false, type: 'datetime_parsing', error: 'dates after 9999 are not supported as unix timestamps' });
    expect(failure(-1e20, true)).toEqual({ ok: false, type: 'datetime_parsing', error: 'dates before 0000 are not supported as unix timestamps' });
    expect(failure(NaN, true)).toEqual({ ok: false, type: 'datetime_parsing', error: 'NaN values not permitted' });
    expect(failure(Infinity, true)).toEqual({ ok: false, type: 'datetime_parsing', error: 'dates after 9999 are not supported as unix timestamps' });
  });

  it('refuses year 0 once parsed, as Python datetime does', () => {
    expect(failure('0000-01-01T00:00:00')).toEqual({ ok: false, type: 'datetime_parsing', error: 'year 0 is out of range' });
    expect(failure('0000-01-01')).toEqual({ ok: false, type: 'datetime_parsing', error: 'year 0 is out of range' });
  });

  it('refuses other types with datetime_type', () => {
    expect(failure(true)).toEqual({ ok: false, type: 'datetime_type' });
    expect(failure(null)).toEqual({ ok: false, type: 'datetime_type' });
    expect(failure([])).toEqual({ ok: false, type: 'datetime_type' });
    expect(failure({})).toEqual({ ok: false, type: 'datetime_type' });
  });
});

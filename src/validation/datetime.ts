/**
 * pydantic's lax `datetime` validation: speedate 0.17 parsing (src/date.rs, src/time.rs,
 * src/datetime.rs, src/numbers.rs) and pydantic-core's fallback that retries a failed string as
 * a date, which is why a bad string reports `datetime_from_date_parsing` with the *date*
 * parser's reason.
 */

export type DateTimeResult =
  | { ok: true; value: Date }
  | { ok: false; type: 'datetime_type' }
  | { ok: false; type: 'datetime_parsing' | 'datetime_from_date_parsing'; error: string };

/** speedate's ParseError documentation strings, which pydantic puts in its messages. */
const E = {
  TooShort: 'input is too short',
  ExtraCharacters: 'unexpected extra characters at the end of the input',
  InvalidCharDateTimeSep: 'invalid datetime separator, expected `T`, `t`, `_` or space',
  InvalidCharDateSep: 'invalid date separator, expected `-`',
  DateNotExact: 'Timestamp is not an exact date',
  InvalidCharYear: 'invalid character in year',
  InvalidCharMonth: 'invalid character in month',
  InvalidCharDay: 'invalid character in day',
  InvalidCharTimeSep: 'invalid time separator, expected `:`',
  InvalidCharHour: 'invalid character in hour',
  InvalidCharMinute: 'invalid character in minute',
  InvalidCharSecond: 'invalid character in second',
  InvalidCharTzSign: 'invalid timezone sign',
  InvalidCharTzHour: 'invalid timezone hour',
  InvalidCharTzMinute: 'invalid timezone minute',
  OutOfRangeTzMinute: 'timezone minute value is outside expected range of 0-59',
  OutOfRangeTz: 'timezone offset must be less than 24 hours',
  OutOfRangeMonth: 'month value is outside expected range of 1-12',
  OutOfRangeDay: 'day value is outside expected range',
  OutOfRangeHour: 'hour value is outside expected range of 0-23',
  OutOfRangeMinute: 'minute value is outside expected range of 0-59',
  OutOfRangeSecond: 'second value is outside expected range of 0-59',
  SecondFractionMissing: 'second fraction digits missing after `.`',
  DateTooSmall: 'dates before 0000 are not supported as unix timestamps',
  DateTooLarge: 'dates after 9999 are not supported as unix timestamps',
  TimeTooLarge: 'numeric times may not exceed 86,399 seconds',
} as const;

class ParseError {
  constructor(readonly doc: string) {}
}

interface SDate {
  year: number;
  month: number;
  day: number;
}
interface STime {
  hour: number;
  minute: number;
  second: number;
  microsecond: number;
  /** Seconds east of UTC; null for a naive time. */
  tzOffset: number | null;
}
interface SDateTime {
  date: SDate;
  time: STime;
}

const MS_WATERSHED = 20_000_000_000n;
const UNIX_9999 = 253_402_300_799n;
const UNIX_0000 = -62_167_219_200n;
const I64_MIN = -(2n ** 63n);

const isDigitByte = (b: number | undefined): b is number => b !== undefined && b >= 0x30 && b <= 0x39;

function digit(bytes: Uint8Array, i: number, err: string): number {
  const b = bytes[i];
  if (!isDigitByte(b)) throw new ParseError(err);
  return b - 0x30;
}

const isLeap = (y: number): boolean => y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);

/** Date::parse_bytes_partial: `YYYY-MM-DD` at the start of the input. */
function parseDatePartial(b: Uint8Array): SDate {
  if (b.length < 10) throw new ParseError(E.TooShort);
  const year = digit(b, 0, E.InvalidCharYear) * 1000 + digit(b, 1, E.InvalidCharYear) * 100 + digit(b, 2, E.InvalidCharYear) * 10 + digit(b, 3, E.InvalidCharYear);
  if (b[4] !== 0x2d) throw new ParseError(E.InvalidCharDateSep);
  const month = digit(b, 5, E.InvalidCharMonth) * 10 + digit(b, 6, E.InvalidCharMonth);
  if (b[7] !== 0x2d) throw new ParseError(E.InvalidCharDateSep);
  const day = digit(b, 8, E.InvalidCharDay) * 10 + digit(b, 9, E.InvalidCharDay);
  let maxDays: number;
  if ([1, 3, 5, 7, 8, 10, 12].includes(month)) maxDays = 31;
  else if ([4, 6, 9, 11].includes(month)) maxDays = 30;
  else if (month === 2) maxDays = isLeap(year) ? 29 : 28;
  else throw new ParseError(E.OutOfRangeMonth);
  if (day < 1 || day > maxDays) throw new ParseError(E.OutOfRangeDay);
  return { year, month, day };
}

/** Time::parse_bytes_offset: `HH:MM[:SS[.ffffff]][Z|±HH[:]MM]` from `offset` to the end. */
function parseTime(b: Uint8Array, offset: number): STime {
  if (b.length - offset < 5) throw new ParseError(E.TooShort);
  const hour = digit(b, offset, E.InvalidCharHour) * 10 + digit(b, offset + 1, E.InvalidCharHour);
  if (b[offset + 2] !== 0x3a) throw new ParseError(E.InvalidCharTimeSep);
  const minute = digit(b, offset + 3, E.InvalidCharMinute) * 10 + digit(b, offset + 4, E.InvalidCharMinute);
  if (hour > 23) throw new ParseError(E.OutOfRangeHour);
  if (minute > 59) throw new ParseError(E.OutOfRangeMinute);
  let length = 5;
  let second = 0;
  let microsecond = 0;
  if (b[offset + 5] === 0x3a) {
    second = digit(b, offset + 6, E.InvalidCharSecond) * 10 + digit(b, offset + 7, E.InvalidCharSecond);
    if (second > 59) throw new ParseError(E.OutOfRangeSecond);
    length = 8;
    const sep = b[offset + 8];
    if (sep === 0x2e || sep === 0x2c) {
      length = 9;
      let i = 0;
      // pydantic's default microseconds_precision is 'truncate': digits past the 6th are dropped.
      while (isDigitByte(b[offset + length + i])) {
        if (i < 6) microsecond = microsecond * 10 + (b[offset + length + i] - 0x30);
        i++;
      }
      if (i === 0) throw new ParseError(E.SecondFractionMissing);
      if (i < 6) microsecond *= 10 ** (6 - i);
      length += i;
    }
  }
  let position = offset + length;
  let tzOffset: number | null = null;
  const next = b[position];
  if (next !== undefined) {
    position++;
    if (next === 0x5a || next === 0x7a) {
      tzOffset = 0;
    } else {
      let sign: number;
      if (next === 0x2b) sign = 1;
      else if (next === 0x2d) sign = -1;
      else if (next === 0xe2) {
        // U+2212 MINUS SIGN, allowed by ISO 8601.
        if (b[position] !== 0x88 || b[position + 1] !== 0x92) throw new ParseError(E.InvalidCharTzSign);
        position += 2;
        sign = -1;
      } else throw new ParseError(E.InvalidCharTzSign);
      const h1 = digit(b, position, E.InvalidCharTzHour);
      const h2 = digit(b, position + 1, E.InvalidCharTzHour);
      let m1: number;
      const afterHour = b[position + 2];
      if (afterHour === 0x3a) {
        position += 3;
        m1 = digit(b, position, E.InvalidCharTzMinute);
      } else if (isDigitByte(afterHour)) {
        position += 2;
        m1 = afterHour - 0x30;
      } else throw new ParseError(E.InvalidCharTzMinute);
      const m2 = digit(b, position + 1, E.InvalidCharTzMinute);
      const minuteSeconds = m1 * 600 + m2 * 60;
      if (minuteSeconds >= 3600) throw new ParseError(E.OutOfRangeTzMinute);
      const value = sign * (h1 * 36000 + h2 * 3600 + minuteSeconds);
      if (Math.abs(value) >= 24 * 3600) throw new ParseError(E.OutOfRangeTz);
      tzOffset = value;
      position += 2;
    }
  }
  if (b.length > position) throw new ParseError(E.ExtraCharacters);
  return { hour, minute, second, microsecond, tzOffset };
}

/** speedate's int_parse_bytes, i64 wrap-around detection included; `stop` is the byte it stopped at. */
function intParseBytes(b: Uint8Array): { value: bigint } | { stop: number | undefined } {
  if (b.length === 0) return { stop: undefined };
  const neg = b[0] === 0x2d && b.length >= 2;
  let i = neg || (b[0] === 0x2b && b.length >= 2) ? 1 : 0;
  if (!isDigitByte(b[i])) return { stop: b[i] };
  let v = BigInt(b[i] - 0x30);
  for (i++; i < b.length; i++) {
    if (!isDigitByte(b[i])) return { stop: b[i] };
    v = BigInt.asIntN(64, BigInt.asIntN(64, v * 10n) + BigInt(b[i] - 0x30));
    if (v < 0n) return { stop: b[i] };
  }
  return { value: neg ? -v : v };
}

const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/** speedate's float_parse_bytes: an int, or a float only where the int parse stopped at '.'. */
function floatParseBytes(b: Uint8Array): { int: bigint } | { float: number } | undefined {
  const r = intParseBytes(b);
  if ('value' in r) return { int: r.value };
  if (r.stop !== 0x2e) return undefined;
  const text = String.fromCharCode(...b);
  return DECIMAL.test(text) ? { float: Number(text) } : undefined;
}

/** timestamp_watershed: beyond ±2e10 a timestamp is in milliseconds. */
function secondsAndMicros(ts: bigint): [bigint, number] {
  if (ts === I64_MIN) throw new ParseError(E.DateTooSmall);
  if ((ts < 0n ? -ts : ts) <= MS_WATERSHED) return [ts, 0];
  let seconds = ts / 1000n;
  let micros = Number(ts % 1000n) * 1000;
  if (micros < 0) {
    seconds -= 1n;
    micros += 1_000_000;
  }
  return [seconds, micros];
}

/** Date::from_timestamp_calc: the date and the seconds into that day. */
function dateFromSeconds(seconds: bigint): [SDate, number] {
  if (seconds < UNIX_0000) throw new ParseError(E.DateTooSmall);
  if (seconds > UNIX_9999) throw new ParseError(E.DateTooLarge);
  const day = Number(seconds >= 0n ? seconds / 86400n : (seconds - 86399n) / 86400n);
  const d = new Date(day * 86_400_000);
  const secondOfDay = Number(seconds - BigInt(day) * 86400n);
  return [{ year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() }, secondOfDay];
}

function dateTimeFromTimestamp(ts: bigint, extraMicros: number): SDateTime {
  let [second, micros] = secondsAndMicros(ts);
  micros += extraMicros;
  if (micros > 0xffffffff) throw new ParseError(E.TimeTooLarge);
  if (micros >= 1_000_000) {
    second += BigInt(Math.floor(micros / 1_000_000));
    micros %= 1_000_000;
  }
  const [date, secondOfDay] = dateFromSeconds(second);
  const time = { hour: Math.floor(secondOfDay / 3600), minute: Math.floor((secondOfDay % 3600) / 60), second: secondOfDay % 60, microsecond: micros, tzOffset: 0 };
  return { date, time };
}

/** `f64 as i64` / `as u32` in Rust saturate, and NaN becomes 0. */
const saturatingI64 = (x: number): bigint => (Number.isNaN(x) ? 0n : x >= 2 ** 63 ? 2n ** 63n - 1n : x <= -(2 ** 63) ? I64_MIN : BigInt(Math.trunc(x)));
const saturatingU32 = (x: number): number => (Number.isNaN(x) || x <= 0 ? 0 : Math.min(Math.trunc(x), 0xffffffff));

/** DateTime::from_float_with_config (timestamp unit 'infer'). */
function dateTimeFromFloat(ts: number): SDateTime {
  const fract = Math.abs(ts % 1);
  const micros = Math.abs(ts) <= 20_000_000_000 ? fract * 1_000_000 : fract * 1_000;
  return dateTimeFromTimestamp(saturatingI64(Math.floor(ts)), saturatingU32(Math.round(micros)));
}

/** DateTime::parse_bytes_with_config. */
function parseDateTimeBytes(b: Uint8Array): SDateTime {
  try {
    const date = parseDatePartial(b);
    const sep = b[10];
    if (sep !== 0x54 && sep !== 0x74 && sep !== 0x20 && sep !== 0x5f) throw new ParseError(E.InvalidCharDateTimeSep);
    return { date, time: parseTime(b, 11) };
  } catch (err) {
    const n = floatParseBytes(b);
    if (!n) throw err;
    if ('int' in n) return dateTimeFromTimestamp(n.int, 0);
    const inMs = Math.abs(n.float) > 20_000_000_000;
    const normalized = inMs ? n.float / 1000 : n.float;
    const seconds = Math.floor(normalized);
    return dateTimeFromTimestamp(saturatingI64(seconds), saturatingU32(Math.round((normalized - seconds) * 1_000_000)));
  }
}

/** Date::parse_bytes_with_config: `YYYY-MM-DD`, or a timestamp that falls exactly on midnight. */
function parseDateBytes(b: Uint8Array): SDate {
  try {
    const d = parseDatePartial(b);
    if (b.length > 10) throw new ParseError(E.ExtraCharacters);
    return d;
  } catch (err) {
    const n = intParseBytes(b);
    if (!('value' in n)) throw err;
    const [seconds, micros] = secondsAndMicros(n.value);
    const [date, secondOfDay] = dateFromSeconds(seconds);
    if (secondOfDay !== 0 || micros !== 0) throw new ParseError(E.DateNotExact);
    return date;
  }
}

function toJsDate({ date, time }: SDateTime): Date {
  const d = new Date(0);
  d.setUTCFullYear(date.year, date.month - 1, date.day);
  d.setUTCHours(time.hour, time.minute, time.second, Math.floor(time.microsecond / 1000));
  return new Date(d.getTime() - (time.tzOffset ?? 0) * 1000);
}

function finish(dt: SDateTime): DateTimeResult {
  // Python's datetime starts at year 1.
  if (dt.date.year === 0) return { ok: false, type: 'datetime_parsing', error: 'year 0 is out of range' };
  return { ok: true, value: toJsDate(dt) };
}

const utf8 = new TextEncoder();

/**
 * A datetime as pydantic's lax mode reads it: ISO 8601 text (or a date, as midnight), a Unix
 * timestamp as a number or a numeric string (beyond ±2e10 in milliseconds). Naive times are
 * taken as UTC. `isFloat` marks a number that came in as a Python float.
 */
export function validateDateTime(input: unknown, isFloat: boolean): DateTimeResult {
  try {
    if (typeof input === 'string') {
      const bytes = utf8.encode(input);
      try {
        return finish(parseDateTimeBytes(bytes));
      } catch (err) {
        if (!(err instanceof ParseError)) throw err;
        try {
          const date = parseDateBytes(bytes);
          return finish({ date, time: { hour: 0, minute: 0, second: 0, microsecond: 0, tzOffset: null } });
        } catch (dateErr) {
          if (!(dateErr instanceof ParseError)) throw dateErr;
          return { ok: false, type: 'datetime_from_date_parsing', error: dateErr.doc };
        }
      }
    }
    if (typeof input === 'number') {
      if (Number.isNaN(input)) return { ok: false, type: 'datetime_parsing', error: 'NaN values not permitted' };
      const asInt = !isFloat && Number.isInteger(input) && Math.abs(input) < 2 ** 63;
      return finish(asInt ? dateTimeFromTimestamp(BigInt(input), 0) : dateTimeFromFloat(input));
    }
  } catch (err) {
    if (err instanceof ParseError) return { ok: false, type: 'datetime_parsing', error: err.doc };
    throw err;
  }
  return { ok: false, type: 'datetime_type' };
}

import { HttpException } from '@nestjs/common';
import { PyNumber } from './python-json.js';
import { rustF64Display } from './python-repr.js';

export type Loc = (string | number)[];
export type Location = 'path' | 'query' | 'header' | 'body';

/**
 * One entry of FastAPI's 422 `detail`. Key order is part of the contract (the body is written
 * in insertion order), so build items with `errorItem` rather than by hand.
 */
export interface FastApiErrorItem {
  type: string;
  loc: Loc;
  msg: string;
  input: unknown;
  ctx?: Record<string, unknown>;
}

/** FastAPI's RequestValidationError: rendered by the filter as 422 `{"detail": [...]}`. */
export class RequestValidationError extends HttpException {
  constructor(readonly detail: FastApiErrorItem[]) {
    // Nest's own filter would still print `{"detail":[...]}` if ours were missing.
    super({ detail }, 422);
  }
}

/** pydantic's python-mode message templates, for the error types this layer produces. */
const TEMPLATES: Record<string, string> = {
  missing: 'Field required',
  extra_forbidden: 'Extra inputs are not permitted',
  model_attributes_type: 'Input should be a valid dictionary or object to extract fields from',
  dict_type: 'Input should be a valid dictionary',
  list_type: 'Input should be a valid list',
  string_type: 'Input should be a valid string',
  string_too_short: 'String should have at least {min_length} character{expected_plural}',
  string_too_long: 'String should have at most {max_length} character{expected_plural}',
  string_pattern_mismatch: "String should match pattern '{pattern}'",
  int_type: 'Input should be a valid integer',
  int_parsing: 'Input should be a valid integer, unable to parse string as an integer',
  int_from_float: 'Input should be a valid integer, got a number with a fractional part',
  int_parsing_size: 'Unable to parse input string as an integer, exceeded maximum size',
  float_type: 'Input should be a valid number',
  float_parsing: 'Input should be a valid number, unable to parse string as a number',
  finite_number: 'Input should be a finite number',
  bool_type: 'Input should be a valid boolean',
  bool_parsing: 'Input should be a valid boolean, unable to interpret input',
  greater_than: 'Input should be greater than {gt}',
  greater_than_equal: 'Input should be greater than or equal to {ge}',
  less_than: 'Input should be less than {lt}',
  less_than_equal: 'Input should be less than or equal to {le}',
  multiple_of: 'Input should be a multiple of {multiple_of}',
  too_short: '{field_type} should have at least {min_length} item{expected_plural} after validation, not {actual_length}',
  too_long: '{field_type} should have at most {max_length} item{expected_plural} after validation, not {actual_length}',
  enum: 'Input should be {expected}',
  literal_error: 'Input should be {expected}',
  uuid_type: 'UUID input should be a string, bytes or UUID object',
  uuid_parsing: 'Input should be a valid UUID, {error}',
  uuid_version: 'UUID version {expected_version} expected',
  datetime_type: 'Input should be a valid datetime',
  datetime_parsing: 'Input should be a valid datetime, {error}',
  datetime_from_date_parsing: 'Input should be a valid datetime or date, {error}',
  union_tag_invalid: "Input tag '{tag}' found using {discriminator} does not match any of the expected tags: {expected_tags}",
  union_tag_not_found: 'Unable to extract tag using discriminator {discriminator}',
  json_invalid: 'JSON decode error',
  value_error: 'Value error, {error}',
};

/** How pydantic's Rust side prints a ctx value inside a message. */
function renderCtxValue(v: unknown): string {
  if (v instanceof PyNumber) return rustF64Display(v.value);
  return String(v);
}

export function renderMessage(type: string, ctx?: Record<string, unknown>): string {
  const template = TEMPLATES[type];
  if (template === undefined) throw new Error(`No message template for error type '${type}'`);
  if (!ctx) return template;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => {
    if (name === 'expected_plural') {
      const n = ctx.min_length ?? ctx.max_length;
      return n === 1 ? '' : 's';
    }
    return name in ctx ? renderCtxValue(ctx[name]) : whole;
  });
}

/** An error item with pydantic's message for `type`; `ctx` only for types that carry one. */
export function errorItem(type: string, loc: Loc, input: unknown, ctx?: Record<string, unknown>): FastApiErrorItem {
  const item: FastApiErrorItem = { type, loc, msg: renderMessage(type, ctx), input };
  if (ctx) item.ctx = ctx;
  return item;
}

/** pydantic's "'a', 'b' or 'c'" list of expected values (already repr()'d). */
export function expectedRepr(reprs: readonly string[]): string {
  if (reprs.length <= 1) return reprs.join('');
  return `${reprs.slice(0, -1).join(', ')} or ${reprs[reprs.length - 1]}`;
}

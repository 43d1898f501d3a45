import { errorItem, RequestValidationError, type FastApiErrorItem } from '../http/validation-errors.js';
import { MAX_METADATA_BYTES } from './images.dto.js';
import { MAX_PREFER_WAIT_SECONDS, parsePreferWait } from './prefer.js';

/** Request-level checks every render POST (an image, a collection, a video) shares. */

/**
 * The checks of a render POST the schema cannot express (the Prefer header, the size of
 * metadata, and the caller's `extra`), all reported in one 422. Returns the Prefer wait, if any.
 */
export function checkRenderRequest(prefer: string | undefined, metadata: unknown, extra: FastApiErrorItem[] = []): number | null {
  const parsed = parsePreferWait(prefer);
  const errors: FastApiErrorItem[] = [];
  if (!parsed.ok) errors.push(valueError(['header', 'prefer'], prefer, `wait must be a whole number of seconds from 0 to ${MAX_PREFER_WAIT_SECONDS}`).detail[0]);
  const metadataError = metadataTooLarge(metadata);
  if (metadataError) errors.push(metadataError);
  errors.push(...extra);
  if (errors.length) throw new RequestValidationError(errors);
  return parsed.ok ? parsed.wait : null;
}

/** Headers of a render POST's answer: the honoured Prefer wait, and whether the Idempotency-Key replayed it. */
export function renderResponseHeaders(wait: number | null, replayed: boolean): Record<string, string> {
  const h: Record<string, string> = {};
  if (wait !== null) h['Preference-Applied'] = `wait=${wait}`;
  if (replayed) h['Idempotent-Replayed'] = 'true';
  return h;
}

export function isTerminal(status: string): boolean {
  return status === 'completed' || status === 'failed';
}

/** The 422 item for a metadata object over MAX_METADATA_BYTES as JSON, or null. */
export function metadataTooLarge(metadata: unknown): FastApiErrorItem | null {
  if (metadata === undefined || Buffer.byteLength(JSON.stringify(metadata)) <= MAX_METADATA_BYTES) return null;
  return valueError(['body', 'metadata'], metadata, `metadata may be at most ${MAX_METADATA_BYTES} bytes as JSON`).detail[0];
}

/** pydantic's value_error, for checks a field type alone cannot express. */
export function valueError(loc: (string | number)[], input: unknown, error: string): RequestValidationError {
  return new RequestValidationError([errorItem('value_error', loc, input, { error })]);
}

import { randomUUID } from 'node:crypto';

export const MAX_REQUEST_ID_LENGTH = 128;

/**
 * A caller's X-Request-Id, when it is sane: 1-128 printable ASCII characters without spaces. It is
 * echoed in a header and written into every log line, so nothing that could break a header, a
 * log line or a terminal is taken. Checked character by character: linear, no pattern.
 */
export function acceptedRequestId(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_REQUEST_ID_LENGTH) return undefined;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 0x21 || c > 0x7e) return undefined;
  }
  return value;
}

/** The caller's id when sane, else a fresh UUID. */
export function requestIdFrom(header: unknown): string {
  return acceptedRequestId(header) ?? randomUUID();
}

import type { AddressPolicy } from '../outbound/address-policy.js';
import { checkOutboundUrl } from '../outbound/safe-request.js';
import { SafeRequestError } from '../outbound/safe-request-error.js';
import type { Principal } from '../orgs/auth/auth.types.js';
import { ApiError } from '../http/api-error.js';
import { errorItem, RequestValidationError, type FastApiErrorItem } from '../http/validation-errors.js';
import { urlProblem } from '../templates/modifications.js';
import type { TemplateVersionEntity } from '../templates/template-version.entity.js';
import { invalid, type TemplatesService } from '../templates/templates.service.js';
import { MAX_METADATA_BYTES } from './images.dto.js';
import { MAX_PREFER_WAIT_SECONDS, parsePreferWait } from './prefer.js';
import { describeFetchError } from './url-preflight.js';

/** Checks every render request (an image, a video) shares before anything is queued. */

/** The published version a request renders: 400 naming template_id / template_version when there is none. */
export async function publishedVersion(templates: TemplatesService, p: Principal, templateId: string, versionNo?: number): Promise<TemplateVersionEntity> {
  const template = await templates
    .findOwned(p, templateId)
    .catch(notFoundAs(invalid('template_not_found', [{ name: 'template_id', reason: `template ${templateId} not found` }])));
  if (template.archivedAt) throw invalid('template_archived', [{ name: 'template_id', reason: 'the template is archived' }]);
  if (template.currentVersion === null) {
    throw invalid('template_not_published', [{ name: 'template_id', reason: 'publish the template before rendering it' }]);
  }
  const n = versionNo ?? template.currentVersion;
  return templates
    .getVersionEntity(p, template.id, n)
    .catch(notFoundAs(invalid('template_version_not_found', [{ name: 'template_version', reason: `version ${n} does not exist` }])));
}

/** A webhook_url is checked at the door (resolved, then the address policy) and again at every delivery. */
export async function checkWebhookUrl(url: string, policy: AddressPolicy, timeoutMs: number): Promise<void> {
  const reason = urlProblem(url, { assetKind: () => undefined });
  if (reason) throw invalid('invalid_webhook_url', [{ name: 'webhook_url', reason: `webhook_url ${reason}` }]);
  try {
    await checkOutboundUrl(url, { policy, timeoutMs });
  } catch (err) {
    if (!(err instanceof SafeRequestError)) throw err;
    throw invalid('invalid_webhook_url', [{ name: 'webhook_url', reason: `webhook_url ${describeFetchError(err)}` }]);
  }
}

/**
 * The checks of a render POST the schema cannot express (the Prefer header, the size of
 * metadata, and the caller's `extra`), all reported in one 422. Returns the Prefer wait, if any.
 */
export function checkRenderRequest(prefer: string | undefined, metadata: unknown, extra: FastApiErrorItem[] = []): number | null {
  const parsed = parsePreferWait(prefer);
  const errors: FastApiErrorItem[] = [];
  if (!parsed.ok) errors.push(valueError(['header', 'prefer'], prefer, `wait must be a whole number of seconds from 0 to ${MAX_PREFER_WAIT_SECONDS}`).detail[0]);
  if (metadata !== undefined && Buffer.byteLength(JSON.stringify(metadata)) > MAX_METADATA_BYTES) {
    errors.push(valueError(['body', 'metadata'], metadata, `metadata may be at most ${MAX_METADATA_BYTES} bytes as JSON`).detail[0]);
  }
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

/** pydantic's value_error, for checks a field type alone cannot express. */
export function valueError(loc: (string | number)[], input: unknown, error: string): RequestValidationError {
  return new RequestValidationError([errorItem('value_error', loc, input, { error })]);
}

/** In a request body a missing referenced resource is a 400, not the 404 of its own endpoint; other errors pass through. */
function notFoundAs(replacement: ApiError): (err: unknown) => never {
  return (err) => {
    throw err instanceof ApiError && err.getStatus() === 404 ? replacement : err;
  };
}

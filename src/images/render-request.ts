import type { AddressPolicy } from '../outbound/address-policy.js';
import { checkOutboundUrl } from '../outbound/safe-request.js';
import { SafeRequestError } from '../outbound/safe-request-error.js';
import type { Principal } from '../orgs/auth/auth.types.js';
import { ApiError } from '../http/api-error.js';
import { errorItem, RequestValidationError } from '../http/validation-errors.js';
import { urlProblem } from '../templates/modifications.js';
import type { TemplateVersionEntity } from '../templates/template-version.entity.js';
import { invalid, type TemplatesService } from '../templates/templates.service.js';
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

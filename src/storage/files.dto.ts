import { PyStr } from '../validation/decorators.js';
import { ModelConfig } from '../validation/fields.js';

/** Both optional: a URL without them is refused as unsigned (403), like any other bad signature. */
@ModelConfig({ extra: 'ignore' })
export class FileQuery {
  @PyStr({ optional: true, description: 'Unix time the URL expires at' })
  expires?: string;

  @PyStr({ optional: true, description: 'Hex HMAC-SHA256 of the path and the expiry' })
  signature?: string;
}

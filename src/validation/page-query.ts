import { PyInt, PyStr } from './decorators.js';
import { ModelConfig } from './fields.js';

/** The query of a list with no filters of its own: the page size and the keyset cursor (DESIGN section 3). */
@ModelConfig({ extra: 'ignore' })
export class PageQuery {
  @PyInt({ ge: 1, le: 100, default: 20 })
  limit = 20;

  @PyStr({ maxLength: 200, optional: true, description: 'next_cursor of the previous page' })
  cursor?: string;
}

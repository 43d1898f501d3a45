import { t } from '../validation/fields.js';

/**
 * One modification: a free-form object that must name its layer. pydantic would say
 * `class Modification(BaseModel, extra='allow'): name: str`; the other keys depend on the layer's
 * type and are checked against the template afterwards (400 invalid_modification).
 */
export const MODIFICATION_ITEM = t.dict({ required: { name: t.str() } });

/** What a modification may say, for the document (both renders and previews take the same list). */
export const MODIFICATIONS_DESCRIPTION =
  'Each entry names a dynamic layer and the properties to override; the last entry for a name wins. ' +
  'Instead of a source, an entry may name a person of your directory: `person_id` (or `person_external_id`, your own reference) ' +
  'sets an image layer to the person\'s photo; with `person_field` (`name`, `external_id` or `tags.<key>`) it sets a text layer\'s text. ' +
  'People are resolved when the request is accepted and the image stores the concrete values (`asset_id`, `text`), ' +
  'so a later change to the person never changes a render; an unknown, deleted or foreign person is a 400 invalid_modification naming the layer.';

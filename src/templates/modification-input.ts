import { t } from '../validation/fields.js';

/**
 * One modification: a free-form object that must name its layer. pydantic would say
 * `class Modification(BaseModel, extra='allow'): name: str`; the other keys depend on the layer's
 * type and are checked against the template afterwards (400 invalid_modification).
 */
export const MODIFICATION_ITEM = t.dict({ required: { name: t.str() } });

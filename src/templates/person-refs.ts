/**
 * The port through which modification checks read the people directory (src/people/ implements
 * it). The dependency points from people/ to templates/, so people/ may build on images and
 * templates (batch renders) without a folder cycle.
 */
export const PERSON_DIRECTORY = Symbol('PERSON_DIRECTORY');

/** What a render may take from a live person of the caller's organisation. */
export interface PersonRecord {
  id: string;
  name: string;
  externalId: string | null;
  tags: Readonly<Record<string, string>>;
  photoAssetId: string;
  /** The photo asset is still a live image of the organisation. */
  photoUsable: boolean;
}

export interface PersonDirectory {
  /** Live people of `orgId` among the given ids and external ids; deleted and foreign ones are absent. */
  find(orgId: string, refs: { ids: readonly string[]; externalIds: readonly string[] }): Promise<PersonRecord[]>;
}

export type PersonRef = { id: string } | { externalId: string };

/** `person_field` values: the person's name, external id, photo (image layers) or one tag. */
export const PERSON_FIELD_HINT = 'name, external_id or tags.<key>';

/** The value of `person_field` for a person, or undefined when the person has none. */
export function personFieldValue(person: PersonRecord, field: string): string | undefined {
  if (field === 'name') return person.name;
  if (field === 'external_id') return person.externalId ?? undefined;
  if (field.startsWith('tags.')) {
    const key = field.slice('tags.'.length);
    return Object.hasOwn(person.tags, key) ? person.tags[key] : undefined;
  }
  return undefined;
}

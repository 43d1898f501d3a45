import { describe, expect, it } from '@jest/globals';
import type { Modification, TemplateDocument } from '../renderer/index.js';
import { bindingErrors, bindingProblems, personModifications } from './bindings.js';

const doc = {
  width: 100,
  height: 100,
  background: {},
  layers: [
    { name: 'avatar', type: 'image', x: 0, y: 0, width: 10, height: 10, dynamic: true },
    { name: 'caption', type: 'text', x: 0, y: 0, width: 10, height: 10, text: '', dynamic: true },
    { name: 'logo', type: 'image', x: 0, y: 0, width: 10, height: 10 },
    { name: 'box', type: 'shape', shape: 'rect', x: 0, y: 0, width: 10, height: 10, dynamic: true },
  ],
} as unknown as TemplateDocument;

describe('bindings of a batch render per person', () => {
  it('accepts the four forms and refuses anything else at its layer', () => {
    expect(bindingErrors({ a: 'photo', b: 'name', c: 'external_id', d: 'tags.role-2' })).toEqual([]);
    const errors = bindingErrors({ a: 'tags.', b: 'tags.a b', c: 7, d: 'Photo', e: 'tags.__proto__x' });
    expect(errors.map((e) => [e.type, e.loc])).toEqual([
      ['value_error', ['body', 'bindings', 'a']],
      ['value_error', ['body', 'bindings', 'b']],
      ['string_type', ['body', 'bindings', 'c']],
      ['value_error', ['body', 'bindings', 'd']],
    ]);
    expect(bindingErrors({}).map((e) => e.loc)).toEqual([['body', 'bindings']]);
  });

  it('names each layer that is unknown, not dynamic, of the wrong type, or whose modification sets what the binding sets', () => {
    expect(bindingProblems(doc, { avatar: 'photo', caption: 'tags.role' }, [{ name: 'avatar', fit: 'contain' } as Modification])).toEqual([]);
    const problems = bindingProblems(doc, { nope: 'name', logo: 'photo', caption: 'photo', avatar: 'name', box: 'name' }, []);
    expect(problems.map((p) => p.name)).toEqual(['nope', 'logo', 'caption', 'avatar', 'box']);
    expect(problems[2].reason).toBe('"photo" binds image layers, not text layers');
    const clash = bindingProblems(doc, { avatar: 'photo', caption: 'name' }, [
      { name: 'avatar', asset_id: 'x' } as Modification,
      { name: 'caption', text: 'hi' } as Modification,
    ]);
    expect(clash.map((p) => p.reason)).toEqual([expect.stringContaining('must not set asset_id'), expect.stringContaining('must not set text')]);
    // As written, the last entry for the layer: a person reference clashes too; an earlier, overridden entry does not.
    const written = [{ name: 'avatar', image_url: 'https://example.com/a.png' }, { name: 'avatar', person_id: 'p' }, { name: 'caption', text: 'x' }, { name: 'caption', color: '#000' }];
    expect(bindingProblems(doc, { avatar: 'photo', caption: 'name' }, written as Modification[]).map((p) => p.reason)).toEqual([expect.stringContaining('must not set person_id')]);
  });

  it("merges each bound layer's person reference into the request's modifications", () => {
    const base = [{ name: 'avatar', fit: 'contain' }, { name: 'other', hidden: true }] as Modification[];
    expect(personModifications(base, { avatar: 'photo', caption: 'tags.role' }, 'p1')).toEqual([
      { name: 'avatar', fit: 'contain', person_id: 'p1' },
      { name: 'other', hidden: true },
      { name: 'caption', person_id: 'p1', person_field: 'tags.role' },
    ]);
  });
});

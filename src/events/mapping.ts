import { query, type JsonValue } from 'jsonpath-rfc9535';
import parse from 'jsonpath-rfc9535/parser';
import type { Modification, TemplateDocument } from '../renderer/index.js';
import { modifiableProperties, type ModificationProblem } from '../templates/modifications.js';
import type { RuleCondition, RuleMapping } from './event-rule.entity.js';

export const MAX_PATH_LENGTH = 500;

/**
 * Why a JSONPath (RFC 9535) cannot be used, or null. Paths are data evaluated by a parser, never
 * code; match() and search() are refused too, because they run a regular expression of the
 * rule's author on the event loop (catastrophic backtracking).
 */
export function pathProblem(path: unknown): string | null {
  if (typeof path !== 'string' || path.length === 0) return 'must be a JSONPath string such as $.data.object.id';
  if (path.length > MAX_PATH_LENGTH) return `must be at most ${MAX_PATH_LENGTH} characters`;
  let ast: unknown;
  try {
    ast = parse(path);
  } catch (err) {
    return `is not a valid JSONPath (RFC 9535): ${err instanceof Error ? err.message : String(err)}`;
  }
  return usesRegex(ast) ? 'must not use match() or search() (regular expressions are not allowed)' : null;
}

function usesRegex(node: unknown): boolean {
  if (Array.isArray(node)) return node.some(usesRegex);
  if (typeof node !== 'object' || node === null) return false;
  const n = node as Record<string, unknown>;
  if (n.type === 'FunctionExpr' && (n.name === 'match' || n.name === 'search')) return true;
  return Object.values(n).some(usesRegex);
}

/** A mapping entry in its object form: property -> path. The string form is `{text: path}`. */
export function entryProperties(entry: string | Record<string, string>): Record<string, unknown> {
  return typeof entry === 'string' ? { text: entry } : entry;
}

/**
 * A rule's mapping and filter checked against the template version it will render: every mapped
 * layer is a dynamic layer, every property one that layer takes, every path parses. Problems
 * name the field (`mapping.photo.image_url`, `filter[0].path`).
 */
export function checkRule(doc: Pick<TemplateDocument, 'layers'>, mapping: RuleMapping, filter: readonly RuleCondition[]): ModificationProblem[] {
  const problems: ModificationProblem[] = [];
  const layers = new Map(doc.layers.map((l) => [l.name, l]));
  for (const [name, entry] of Object.entries(mapping)) {
    const field = `mapping.${name}`;
    const layer = layers.get(name);
    if (!layer) {
      problems.push({ name: field, reason: 'unknown layer: the template has no layer with this name' });
      continue;
    }
    if (layer.dynamic !== true) {
      problems.push({ name: field, reason: 'layer is not dynamic: mark it dynamic in the template to allow modifications' });
      continue;
    }
    if (typeof entry !== 'string' && (typeof entry !== 'object' || entry === null || Array.isArray(entry) || Object.keys(entry).length === 0)) {
      problems.push({ name: field, reason: 'must be a JSONPath string, or an object of property -> JSONPath' });
      continue;
    }
    if (typeof entry === 'string' && layer.type !== 'text') {
      problems.push({ name: field, reason: `the string form sets text; ${layer.type} layers take the object form, e.g. {"image_url": "$.path"}` });
      continue;
    }
    const allowed = modifiableProperties(layer.type);
    for (const [prop, path] of Object.entries(entryProperties(entry))) {
      const at = typeof entry === 'string' ? field : `${field}.${prop}`;
      if (!allowed.includes(prop)) {
        problems.push({ name: at, reason: `property "${prop}" does not apply to ${layer.type} layers` });
        continue;
      }
      const reason = pathProblem(path);
      if (reason) problems.push({ name: at, reason: `path ${reason}` });
    }
  }
  filter.forEach((c, i) => {
    const reason = pathProblem(c.path);
    if (reason) problems.push({ name: `filter[${i}].path`, reason: `path ${reason}` });
  });
  return problems;
}

/** The first value a path selects, or undefined (null counts as no value: it cannot fill a layer). */
export function firstValue(payload: unknown, path: string): unknown {
  const found = query(payload as JsonValue, path);
  return found.length === 0 || found[0] === null ? undefined : found[0];
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => Object.hasOwn(b, k) && deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

/** Why the payload fails the filter (the run is skipped), or null when every condition holds. */
export function filterMismatch(payload: unknown, filter: readonly RuleCondition[]): string | null {
  for (const c of filter) {
    const found = query(payload as JsonValue, c.path);
    if (found.length === 0) return `filter ${c.path}: no value (expected ${JSON.stringify(c.equals)})`;
    if (!deepEqual(found[0], c.equals)) return `filter ${c.path}: ${JSON.stringify(found[0])} is not ${JSON.stringify(c.equals)}`;
  }
  return null;
}

export type MappingResult = { ok: true; modifications: Modification[] } | { ok: false; layer: string; property: string; path: string; message: string };

/** The modifications a payload gives; the first path without a value fails it (no render). */
export function applyMapping(payload: unknown, mapping: RuleMapping): MappingResult {
  const modifications: Modification[] = [];
  for (const [layer, entry] of Object.entries(mapping)) {
    const mod: Modification = { name: layer };
    for (const [property, path] of Object.entries(entryProperties(entry)) as [string, string][]) {
      const value = firstValue(payload, path);
      if (value === undefined) return { ok: false, layer, property, path, message: `no value at ${path} (mapping for ${layer}.${property})` };
      // Text takes any scalar: an amount or a flag is shown as written.
      mod[property] = property === 'text' && (typeof value === 'number' || typeof value === 'boolean') ? String(value) : value;
    }
    modifications.push(mod);
  }
  return { ok: true, modifications };
}

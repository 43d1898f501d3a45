import { describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

/**
 * The renderer is a library: it reaches nothing of the rest of src/ (nor a framework, database
 * or queue), and the rest reaches it only through index.ts, so its insides can change freely.
 */
const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');
const ALLOWED_PACKAGES = new Set(['sharp', '@napi-rs/canvas', 'fontkit', 'piscina']);

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return e.name === 'node_modules' ? [] : sources(p);
    return /\.(ts|mjs)$/.test(e.name) ? [p] : [];
  });
}

function importsOf(file: string): string[] {
  return ts.preProcessFile(readFileSync(file, 'utf8'), true, true).importedFiles.map((f) => f.fileName);
}

describe('renderer boundary', () => {
  // Specs and their test-only thread shims (*.spec-*.mjs) may use test tooling.
  it('imports only its own files, node built-ins and its drawing/font/thread packages', () => {
    const bad: string[] = [];
    for (const file of sources(here).filter((f) => !/\.spec[.-]/.test(f))) {
      for (const spec of importsOf(file)) {
        const ok = spec.startsWith('node:') || ALLOWED_PACKAGES.has(spec) || (spec.startsWith('.') && resolve(dirname(file), spec).startsWith(here + '/'));
        if (!ok) bad.push(`${relative(root, file)} -> ${spec}`);
      }
    }
    expect(bad).toEqual([]);
  });

  it('is entered from src, test and bench only through index.js', () => {
    const bad: string[] = [];
    const outside = ['src', 'test', 'bench'].flatMap((d) => sources(join(root, d))).filter((f) => !f.startsWith(here + '/'));
    expect(outside.length).toBeGreaterThan(50);
    for (const file of outside) {
      for (const spec of importsOf(file)) {
        const target = spec.startsWith('.') ? resolve(dirname(file), spec) : '';
        if (target.startsWith(here + '/') && target !== join(here, 'index.js')) bad.push(`${relative(root, file)} -> ${spec}`);
      }
    }
    expect(bad).toEqual([]);
  });
});

import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULTS } from '../src/config/config.js';
import { settingNames } from './support/settings.js';

/**
 * The README's settings table ("Configuration") and the configuration schema agree: every
 * variable loadConfig reads has a row, every row names a variable it reads, and each literal
 * default the table shows is the one the code applies.
 */
const readme = readFileSync(join(process.cwd(), 'README.md'), 'utf8');

interface Row {
  names: string[];
  defaults: string[];
  defaultCell: string;
}

function settingsTable(): Row[] {
  const start = readme.indexOf('\n## Configuration');
  const end = readme.indexOf('\n## ', start + 1);
  const section = readme.slice(start, end === -1 ? undefined : end);
  const rows: Row[] = [];
  for (const line of section.split('\n')) {
    if (!line.startsWith('| `')) continue;
    const cells = line.split('|').map((c) => c.trim());
    const ticks = (cell: string) => [...cell.matchAll(/`([^`]*)`/g)].map((m) => m[1]);
    rows.push({ names: ticks(cells[1]).filter((n) => /^[A-Z][A-Z0-9_]*$/.test(n)), defaults: ticks(cells[2]), defaultCell: cells[2] });
  }
  return rows;
}

describe('README settings table', () => {
  it('has one row per setting the configuration reads, and no other', () => {
    const documented = settingsTable().flatMap((r) => r.names);
    const read = [...settingNames()];
    expect(documented.filter((n, i) => documented.indexOf(n) !== i)).toEqual([]);
    expect({ undocumented: read.filter((n) => !documented.includes(n)).sort(), unknown: documented.filter((n) => !read.includes(n)).sort() }).toEqual({
      undocumented: [],
      unknown: [],
    });
  });

  it('shows the default the code applies for every setting that has a literal one', () => {
    const defaults = DEFAULTS as Record<string, string>;
    const rows = settingsTable();
    const wrong: string[] = [];
    for (const [name, value] of Object.entries(defaults)) {
      const row = rows.find((r) => r.names.includes(name));
      if (!row) continue; // the first test reports it
      const shown = value === '' ? (/^empty\b/.test(row.defaultCell) ? '' : undefined) : row.names.length === row.defaults.length ? row.defaults[row.names.indexOf(name)] : undefined;
      if (shown !== value) wrong.push(`${name}: README shows ${JSON.stringify(row.defaultCell)}, the code applies ${JSON.stringify(value)}`);
    }
    expect(wrong).toEqual([]);
  });
});

/**
 * Second pass of `npm run lint:deps`: no two top-level folders of src/ import each other,
 * directly or through a chain. Checked on the production graph only (specs, test/ and bench/
 * excluded: a spec may import a neighbour's helpers). dependency-cruiser's folder scope treats
 * each sub-folder as its own node; edges inside one top-level folder are exempt.
 * Composition-root files directly in src/ are not a folder node, so they may import anything.
 * @type {import('dependency-cruiser').IConfiguration}
 */
const base = require('./.dependency-cruiser.cjs');

module.exports = {
  forbidden: [
    {
      name: 'no-folder-cycles',
      comment: 'No two top-level folders of src/ import each other, directly or through a chain.',
      severity: 'error',
      scope: 'folder',
      from: { path: '^src/([^/]+)' },
      to: { circular: true, pathNot: '^src/$1(/|$)' },
    },
  ],
  options: {
    ...base.options,
    exclude: { path: `${base.options.exclude.path}|\\.spec[.-][^/]*$|^(test|bench)/` },
  },
};

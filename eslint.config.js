import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * Which layer of src/ may import which (README "Architecture"). A layer is a folder of src/; the root
 * modules (config, errors, job, ...) are named by file. Each entry lists what the layer may import
 * besides itself; anything else is an error, so an import running the wrong way fails `npm run lint`.
 * errors.ts and src/vendor (packages re-exported for the build to bundle) are allowed everywhere. The pure layers (model, search) may import no Node module either.
 * Exceptions kept until the job is resolved once into a MissionSpec (issue 12 item 1): forcing and
 * products still read the job's types (job.ts).
 */
const LAYERS = {
  model: [],
  // Our NetCDF-3 reader and writer, the NetCDF-4 (h5wasm) reader and writer: a file-format library.
  netcdf: [],
  search: ['model'],
  land: ['model'],
  threads: ['model', 'forcing', 'land'],
  forcing: ['model', 'land', 'netcdf', 'storage', 'logger', 'version'],
  products: ['model', 'search', 'land', 'forcing', 'netcdf', 'version'],
  storage: ['products', 'netcdf', 'config', 'logger', 'version'],
  mission: ['model', 'search', 'land', 'forcing', 'products', 'threads', 'storage', 'config', 'logger', 'version'],
  // The wire format and its resolution into a MissionSpec: model, search and the types of forcing,
  // products and mission; nothing below imports it.
  job: ['model', 'search', 'forcing', 'products', 'mission', 'config', 'job-guard'],
  queue: ['config'],
  db: ['config', 'logger', 'job-guard'],
  metrics: ['queue', 'worker', 'logger'],
  worker: ['queue', 'db', 'storage', 'mission', 'metrics', 'config', 'logger', 'version', 'job', 'job-guard'],
  planning: ['model', 'search', 'forcing', 'netcdf', 'products', 'storage', 'db', 'config', 'logger', 'version'],
  api: ['db', 'queue', 'storage', 'forcing', 'netcdf', 'mission', 'planning', 'search', 'products', 'config', 'logger', 'version', 'job'],
  cli: null, // the command line may import anything
};
const ROOT_MODULES = ['config', 'logger', 'version', 'job-guard', 'local', 'index'];
const PURE_NODE = ['node:*', 'fs', 'path', 'os', 'worker_threads'];

function layerRules() {
  const names = [...Object.keys(LAYERS), 'web'];
  return Object.entries(LAYERS)
    .filter(([, allowed]) => allowed !== null)
    .map(([layer, allowed]) => {
      const folders = names.filter((n) => n !== layer && !allowed.includes(n));
      const roots = ROOT_MODULES.filter((n) => !allowed.includes(n));
      const regex = `^(\\.\\./)+((${folders.join('|')})/|(${roots.join('|')})\\.js$)`;
      const patterns = [{ regex, message: `src/${layer} may import only ${allowed.length ? allowed.join(', ') : 'nothing outside itself'} (and errors.ts): see LAYERS in eslint.config.js and README "Architecture".` }];
      if (layer === 'model' || layer === 'search') patterns.push({ group: PURE_NODE, message: `src/${layer} is pure: no I/O.` });
      return { files: [`src/${layer}/**/*.ts`], rules: { 'no-restricted-imports': ['error', { patterns }] } };
    });
}

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'out/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // The numeric core and the search-planning maths stay pure: no I/O, no clock, no ambient randomness.
    files: ['src/model/**/*.ts', 'src/search/**/*.ts'],
    rules: {
      'no-restricted-properties': [
        'error',
        { object: 'Math', property: 'random', message: 'src/model is pure: pass an RNG in.' },
        { object: 'Date', property: 'now', message: 'src/model is pure: pass time in.' },
        { object: 'performance', property: 'now', message: 'src/model is pure: pass time in.' },
      ],
    },
  },
  ...layerRules(),
  {
    files: ['scripts/**/*.{js,mjs}', 'bench/**/*.{js,mjs}', 'examples/**/*.{js,mjs}', 'scripts/make-forcing', 'scripts/push-job'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly', Buffer: 'readonly', setTimeout: 'readonly', performance: 'readonly' } },
  },
);

// ESLint 9 flat config: typescript-eslint's recommended rules, React's hooks rules, and the
// import boundaries of src/ (README.md, "Import boundaries"). `npm run lint` runs it.
import js from '@eslint/js';
import boundaries from 'eslint-plugin-boundaries';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/** The layers of src/: folders, each an element (a feature is one folder of src/features/). */
const ELEMENTS = [
  { type: 'lib', pattern: 'src/lib', partialMatch: false },
  { type: 'heatmap', pattern: 'src/heatmap', partialMatch: false },
  { type: 'transport', pattern: 'src/transport', partialMatch: false },
  { type: 'app', pattern: 'src/app', partialMatch: false },
  { type: 'components', pattern: 'src/components', partialMatch: false },
  { type: 'feature', pattern: 'src/features/*', partialMatch: false, capture: ['feature'] },
  { type: 'widget', pattern: 'src/widget', partialMatch: false },
];
/** ... and the files at the top of src/, each a category of its own. */
const FILES = [
  { category: 'contract', pattern: 'src/contract.ts' },
  { category: 'root', pattern: 'src/App{,.test}.tsx' },
  { category: 'entry', pattern: 'src/main.tsx' },
  { category: 'styles', pattern: 'src/styles.css' },
  { category: 'declarations', pattern: 'src/*.d.ts' },
];

const layer = (type) => ({ element: { type } });
const file = (category) => ({ file: { categories: category } });
const CONTRACT = file('contract');

/** What each layer may import besides its own files; anything else (a feature importing another
 *  feature, a layer importing one above it, anything but App's entries importing App) is an error. */
const MAY_IMPORT = [
  [layer('lib'), [CONTRACT]],
  [layer('heatmap'), [CONTRACT, layer('lib')]],
  [layer('transport'), [CONTRACT, layer('lib')]],
  [layer('app'), [CONTRACT, layer('lib'), layer('heatmap'), layer('transport')]],
  [layer('components'), [CONTRACT, layer('lib'), layer('heatmap')]],
  [layer('feature'), [CONTRACT, layer('lib'), layer('heatmap'), layer('transport'), layer('app'), layer('components')]],
  [file('root'), [CONTRACT, layer('lib'), layer('heatmap'), layer('transport'), layer('app'), layer('components'),
    layer('feature'), file('root'), file('styles')]],
  [file('entry'), [layer('transport'), file('root')]],
  [layer('widget'), [CONTRACT, layer('transport'), file('root'), file('styles')]],
];

export default tseslint.config(
  { ignores: ['node_modules', 'src/contract.ts'] },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    files: ['**/*.{ts,tsx}'],
    languageOptions: { globals: globals.browser },
  },
  {
    files: ['*.{js,mjs,ts}', 'scripts/**/*.{js,mjs}'],
    languageOptions: { globals: globals.node },
  },
  {
    files: ['src/**/*.{ts,tsx}'],
    ...reactHooks.configs.flat.recommended,
    rules: {
      ...reactHooks.configs.flat.recommended.rules,
      // React Compiler diagnostics: the app is not compiled by React Compiler, and these three
      // flag deliberate patterns (a ref holding the latest settings, a callback that retries
      // itself, resetting state when a prop changes); the rules of hooks and the rest stay on.
      'react-hooks/refs': 'off',
      'react-hooks/immutability': 'off',
      'react-hooks/set-state-in-effect': 'off',
    },
  },
  {
    files: ['src/**/*.{ts,tsx}'],
    plugins: { boundaries },
    settings: {
      'boundaries/elements': ELEMENTS,
      'boundaries/files': FILES,
      'import/resolver': { node: { extensions: ['.ts', '.tsx', '.js'] } },
    },
    rules: {
      'boundaries/dependencies': ['error', {
        default: 'disallow',
        policies: MAY_IMPORT.map(([from, allowed]) => ({ from, allow: allowed.map((to) => ({ to })) })),
      }],
      // every file of src/ belongs to a layer, and every local import resolves to one
      'boundaries/no-unknown-files': 'error',
      'boundaries/no-unknown-dependencies': 'error',
    },
  },
);

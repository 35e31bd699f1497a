import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

// The layers, lowest first: a folder may import only from the folders before it
// (ARCHITECTURE.md draws them).
const layers = [
  ['errors'],
  ['format'],
  ['runbook'],
  ['journal'],
  ['db'],
  ['store'],
  ['engine'],
  ['protocol'],
  ['client'],
  ['report'],
  ['tui'],
  ['cli'],
  ['host'],
];

const layerRules = layers.flatMap((entry, index) =>
  entry.map((folder) => {
    const allowed = layers.slice(0, index).flat();
    const above = [...layers.slice(index + 1).flat(), ...entry.filter((other) => other !== folder)];
    return {
      files: [`src/${folder}/**/*.{ts,tsx}`],
      rules: {
        'no-restricted-imports': [
          'error',
          {
            patterns: [
              {
                regex: `^(\\.\\./)+(${above.join('|')})/`,
                message: `src/${folder} may import only from ${allowed.join(', ') || 'node and npm'}: move the shared piece down a layer (ARCHITECTURE.md, Layers).`,
              },
            ],
          },
        ],
      },
    };
  }),
);

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'tests/fixtures/**', '**/*.tmp.*'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['src/tui/**/*.tsx', 'tests/tui/**/*.tsx'],
    plugins: { 'react-hooks': reactHooks },
    rules: {
      'react-hooks/rules-of-hooks': 'error',
      'react-hooks/exhaustive-deps': 'warn',
    },
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
      'no-control-regex': 'off',
    },
  },
  ...layerRules,
);

import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

const noVscode = {
  paths: [{ name: 'vscode', message: 'src/core runs in plain Node (CLI, tests): no vscode here.' }],
};

export default tseslint.config(
  { ignores: ['dist/**', 'out/**', 'node_modules/**', '.vscode-test/**', 'test-results/**', '.cache/**', 'bench/results.json'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
      eqeqeq: ['error', 'always'],
      curly: 'error',
      'no-restricted-syntax': [
        'error',
        { selector: "AssignmentExpression[left.property.name='innerHTML']", message: 'Server data reaches the DOM as text only.' },
        { selector: "AssignmentExpression[left.property.name='outerHTML']", message: 'Server data reaches the DOM as text only.' },
        { selector: "CallExpression[callee.property.name='insertAdjacentHTML']", message: 'Server data reaches the DOM as text only.' },
      ],
    },
  },
  {
    // Type-aware rules for the bugs this code can have: a promise nobody awaits or catches, a promise
    // where a callback's return is ignored, and a value import that is only a type.
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: { projectService: { allowDefaultProject: ['bench/*.ts'] }, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          // node:test's test(), describe() and it() return promises the runner itself awaits.
          allowForKnownSafeCalls: [
            {
              from: 'package',
              package: 'node:test',
              name: ['test', 'describe', 'it', 'suite', 'before', 'after', 'beforeEach', 'afterEach'],
            },
          ],
        },
      ],
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
    },
  },
  {
    files: ['src/core/**/*.ts', 'src/cli/**/*.ts', 'src/demo/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', noVscode] },
  },
  {
    files: ['webview/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: noVscode.paths,
          patterns: [
            {
              group: [
                ...['../src', '../../src'].flatMap((src) => [
                  `${src}/*`,
                  `!${src}/protocol`,
                  `!${src}/core`,
                  `${src}/core/*`,
                  `!${src}/core/unsafeText`,
                  `!${src}/core/payloadText`,
                  `!${src}/core/batchFormat`,
                  `!${src}/core/decodedLabel`,
                  `!${src}/core/derivedText`,
                  `!${src}/core/llm`,
                  `${src}/core/llm/*`,
                  `!${src}/core/llm/lens`,
                  `!${src}/core/llm/response`,
                  `!${src}/core/mcp`,
                  `${src}/core/mcp/*`,
                  `!${src}/core/mcp/describe`,
                ]),
              ],
              message:
                "The webview imports only the shared protocol, the batch format, the unsafe-text rule, the payload-text readers, the decoded label, the derived records' wording, the LLM lens and the MCP record wording from src/.",
            },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.mjs', '**/*.js'],
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);

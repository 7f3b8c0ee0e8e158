/** ESLint flat config: JS and TypeScript recommended rules, plus Svelte's for components. */
import js from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';
import tseslint from 'typescript-eslint';
import svelteConfig from './svelte.config.js';

export default defineConfig(
  globalIgnores(['out/', 'dist/', 'node_modules/', 'test/fixtures/', '.vite/']),
  js.configs.recommended,
  tseslint.configs.recommended,
  svelte.configs.recommended,

  // Everything but the renderer runs in Node (main, preload, CLI, tests, bench, configs).
  {
    ignores: ['src/renderer/**'],
    languageOptions: { globals: globals.node },
  },
  {
    files: ['src/renderer/**'],
    languageOptions: { globals: globals.browser },
  },

  // Components are parsed as Svelte with TypeScript inside <script lang="ts">.
  {
    files: ['**/*.svelte', '**/*.svelte.ts', '**/*.svelte.js'],
    languageOptions: {
      parserOptions: {
        parser: tseslint.parser,
        extraFileExtensions: ['.svelte'],
        svelteConfig,
      },
    },
  },

  // A leading underscore marks a parameter or binding as deliberately unused.
  {
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_' },
      ],
    },
  },
);

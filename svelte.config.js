/** Svelte compiler options, read by vite-plugin-svelte, svelte-check and ESLint. */
export default {
  compilerOptions: {
    // Folio is a new Svelte 5 app: use runes everywhere, no legacy reactivity.
    runes: true,
  },
};

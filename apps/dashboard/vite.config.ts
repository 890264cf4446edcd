import { defineConfig } from 'vite';

// No React plugin: the JSX transform built into Vite is enough for a production build,
// and the coordinator serves only the built files (no dev server at run time).
export default defineConfig({
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 1000,
    rollupOptions: {
      // React Query marks its modules "use client" (for server components); a browser-only bundle ignores it.
      onwarn(warning, warn) {
        if (warning.code !== 'MODULE_LEVEL_DIRECTIVE') warn(warning);
      },
    },
  },
});

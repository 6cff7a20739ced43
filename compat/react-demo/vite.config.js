import { defineConfig } from 'vite';

// No React plugin: the app needs neither Fast Refresh nor Babel, and esbuild's own JSX transform
// (automatic runtime, imports from react/jsx-runtime) is enough.
export default defineConfig({
  esbuild: { jsx: 'automatic' },
  server: { port: 5173, strictPort: true },
  preview: { port: 5173, strictPort: true },
  build: { chunkSizeWarningLimit: 4096 },
});

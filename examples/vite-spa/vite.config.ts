import { defineConfig } from 'vite';
import { bearerSw } from 'bearer-sw/vite';

export default defineConfig({
  // Builds src/sw.ts into one classic script, served at /sw.js by `vite` and `vite preview`,
  // emitted as dist/sw.js by `vite build`.
  plugins: [bearerSw({ worker: 'src/sw.ts' })],
});

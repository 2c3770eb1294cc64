import { fileURLToPath } from 'node:url';
import { defineConfig, loadEnv } from 'vite';
import { VitePWA } from 'vite-plugin-pwa';

// One worker for the whole app: Workbox (precache, navigation route, runtime caching) and
// bearer-sw (the token on API calls), built by vite-plugin-pwa's injectManifest from src/sw.ts.
export default defineConfig(({ mode }) => {
  const env = loadEnv(mode, fileURLToPath(new URL('.', import.meta.url)));
  // 'prompt': a new version waits for the user's "Update" click; 'immediate': it takes over at once.
  const prompt = env.VITE_ACTIVATION === 'prompt';
  return {
    build: { target: 'es2022' },
    // `vite dev`: optimize the worker's imports and workbox-window (imported lazily by
    // virtual:pwa-register) up front. Found late, they would be optimized again, the page
    // reloaded, and the worker, which imported the first versions, would fail to load.
    optimizeDeps: { entries: ['index.html', 'src/sw.ts'], include: ['workbox-window'] },
    plugins: [
      VitePWA({
        strategies: 'injectManifest',
        srcDir: 'src',
        filename: 'sw.ts',
        registerType: prompt ? 'prompt' : 'autoUpdate',
        // The page registers the worker itself (src/main.ts), with workbox-window for updates.
        injectRegister: false,
        // `vite dev` serves src/sw.ts too, as a module worker (at the URL registerSW reports).
        devOptions: { enabled: true, type: 'module', navigateFallback: 'index.html' },
        manifest: {
          name: 'bearer-sw PWA example',
          short_name: 'bearer-sw PWA',
          start_url: '/',
          display: 'standalone',
          theme_color: '#1d4ed8',
          icons: [{ src: '/icon.svg', sizes: 'any', type: 'image/svg+xml' }],
        },
        injectManifest: {
          // The app shell. Files under /news/ are left to runtime caching (src/sw.ts).
          globPatterns: ['**/*.{js,css,html,svg,webmanifest}'],
          globIgnores: ['news/**'],
        },
      }),
    ],
  };
});

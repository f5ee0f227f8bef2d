import { defineConfig } from "vitest/config";
import { svelte } from "@sveltejs/vite-plugin-svelte";

// The built UI is served by the Tauri shell from ui/dist (see src-tauri/tauri.conf.json).
export default defineConfig({
  plugins: [svelte()],
  // Relative asset URLs: the shell serves dist/ from its own origin.
  base: "./",
  clearScreen: false,
  server: { port: 5173, strictPort: true },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    // WebKitGTK on Debian 12 / Safari 16 era engines.
    target: "safari15",
    sourcemap: false,
  },
  test: {
    environment: "node",
    include: ["src/**/*.test.ts"],
  },
});

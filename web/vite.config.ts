import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// The gateway serves the built files at /admin/ from dist/web, beside the compiled server (src/server/console.ts).
// No inline scripts or styles end up in index.html: the admin CSP allows only the console's own files.
export default defineConfig({
  base: "/admin/",
  plugins: [react()],
  build: {
    outDir: "../dist/web",
    emptyOutDir: true,
    assetsDir: "assets",
    // Data URIs would be inlined styles or images; keep every asset a file of its own.
    assetsInlineLimit: 0,
  },
});

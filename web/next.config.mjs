// The web app's build: no telemetry, no font downloads (system fonts only), grpc-js left to Node.
// What the pages may load and call: their own origin (the edge: pages, gRPC-web, WebSockets), or
// NEXT_PUBLIC_EDGE_URL for a dev server. Next.js inlines its bootstrap scripts, hence
// 'unsafe-inline' for scripts; its dev server also evaluates code.
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const reactLostPing = require.resolve("./webpack/react-lost-ping.cjs");
const { BUNDLED_REACT_DOM_CLIENT } = require(reactLostPing);

const edge = process.env.NEXT_PUBLIC_EDGE_URL ?? "";
const development = process.env.NODE_ENV === "development";
const contentSecurityPolicy = [
  "default-src 'self'",
  `script-src 'self' 'unsafe-inline'${development ? " 'unsafe-eval'" : ""}`,
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self'",
  `connect-src 'self' ${edge} ${edge.replace(/^http/, "ws")}`.trim(),
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

/** @type {import("next").NextConfig} */
const config = {
  // The image (Dockerfile) builds with NEXT_OUTPUT=standalone: a server.js and only the files it
  // needs. `fleet up` and `next start` build the usual .next/.
  ...(process.env.NEXT_OUTPUT === "standalone" ? { output: "standalone" } : {}),
  reactStrictMode: true,
  poweredByHeader: false,
  serverExternalPackages: ["@grpc/grpc-js"],
  typescript: { ignoreBuildErrors: false },
  eslint: { ignoreDuringBuilds: true },
  // The browser's React keeps a Suspense ping that arrives mid-render (see webpack/react-lost-ping.cjs).
  webpack(webpackConfig) {
    webpackConfig.module.rules.push({ test: BUNDLED_REACT_DOM_CLIENT, use: [{ loader: reactLostPing }] });
    return webpackConfig;
  },
  // Browsers ask for /favicon.ico whatever the page links: the app's icon answers it.
  async rewrites() {
    return [{ source: "/favicon.ico", destination: "/icon.svg" }];
  },
  async headers() {
    return [
      {
        source: "/:path*",
        headers: [
          { key: "X-Content-Type-Options", value: "nosniff" },
          { key: "Referrer-Policy", value: "same-origin" },
          { key: "X-Frame-Options", value: "DENY" },
          { key: "Content-Security-Policy", value: contentSecurityPolicy },
        ],
      },
    ];
  },
};

export default config;

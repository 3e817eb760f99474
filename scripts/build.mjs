// Bundles the extension host, the webview and the CLI with esbuild.
//   node scripts/build.mjs [--watch] [--production]
import * as esbuild from 'esbuild';
import { chmodSync, cpSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');

const common = {
  bundle: true,
  sourcemap: production ? false : 'linked',
  minify: production,
  logLevel: 'info',
  absWorkingDir: root,
  legalComments: 'none',
};

/** Server libraries of the demo's protocol endpoints: loaded where installed, never bundled. */
const DEMO_PROTOCOL_LIBRARIES = ['socket.io', 'graphql', 'graphql-ws', 'graphql-ws/*'];

/** @type {esbuild.BuildOptions[]} */
const builds = [
  {
    ...common,
    entryPoints: ['src/extension.ts'],
    outfile: 'dist/extension.js',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    // The demo's Socket.IO and GraphQL endpoints load their server libraries when present (protocolEndpoints.ts).
    external: ['vscode', 'bufferutil', 'utf-8-validate', ...DEMO_PROTOCOL_LIBRARIES],
  },
  {
    ...common,
    entryPoints: ['src/cli/main.ts'],
    outfile: 'dist/cli.js',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['bufferutil', 'utf-8-validate', ...DEMO_PROTOCOL_LIBRARIES],
    // jsonc-parser's UMD build requires its parts at run time, which a bundle cannot follow: take its ES modules.
    mainFields: ['module', 'main'],
    banner: { js: '#!/usr/bin/env node' },
  },
  {
    ...common,
    entryPoints: { webview: 'webview/main.ts' },
    outdir: 'dist',
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    loader: { '.css': 'css' },
  },
];

function copyAssets() {
  const codicons = join(root, 'node_modules/@vscode/codicons/dist');
  mkdirSync(join(root, 'dist/codicons'), { recursive: true });
  cpSync(join(codicons, 'codicon.css'), join(root, 'dist/codicons/codicon.css'));
  cpSync(join(codicons, 'codicon.ttf'), join(root, 'dist/codicons/codicon.ttf'));
}

copyAssets();
if (watch) {
  for (const options of builds) {
    const ctx = await esbuild.context(options);
    await ctx.watch();
  }
  console.log('watching for changes…');
} else {
  await Promise.all(builds.map((options) => esbuild.build(options)));
  // The CLI is the package's `bin`: runnable as ./dist/cli.js, not only through `node`.
  chmodSync(join(root, 'dist/cli.js'), 0o755);
}

// Bundles the benchmark with esbuild (dependencies stay in node_modules),
// then runs it: `npm run bench -- --quick --json`.
import { build } from 'esbuild';

const outfile = 'build/bench/main.mjs';
await build({
  entryPoints: ['bench/cli.ts'],
  outfile,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  packages: 'external',
  sourcemap: true,
  logLevel: 'warning',
});
const { runBench } = await import(new URL(`../${outfile}`, import.meta.url));
process.exitCode = await runBench(process.argv.slice(2));

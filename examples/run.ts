/**
 * Runs one example against the local OAuth stack, for you to open in your own browser:
 *
 *   npm run build && npx tsx examples/run.ts vite-spa [--build]
 *
 * Packs the package, copies the example to a temporary folder, installs the tarball there, starts
 * an OpenID Provider (oidc-provider; log in with any name and password) that knows the example's
 * redirect URI `<origin>/callback`, and an API on another origin, writes what the worker's login
 * needs (`VITE_ISSUER`, `VITE_CLIENT_ID`, `VITE_API_ORIGIN`) to the copy's `.env.local`, and serves
 * the example with `vite` (or `vite build` + `vite preview` with `--build`). Ctrl-C stops everything.
 */
import { packTarball, startExample } from '../e2e/support/examples.js';

const args = process.argv.slice(2);
const name = args.find((a) => !a.startsWith('--')) ?? 'vite-spa';
const example = await startExample(name, args.includes('--build') ? 'build' : 'dev', { tarball: packTarball() });
console.log(`examples/${name} (${example.mode}): ${example.url}`);
console.log(`  issuer ${example.oidc.issuer} (redirect URI ${example.url}callback), API ${example.apiOrigin}, copy in ${example.dir}`);
const stop = () => void example.close().then(() => process.exit(0));
process.once('SIGINT', stop);
process.once('SIGTERM', stop);

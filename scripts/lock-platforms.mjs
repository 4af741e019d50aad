// Re-adds lock entries for optional platform packages that this machine's npm
// registry does not serve (e.g. darwin/win32 builds of msgpackr-extract).
// Without them `npm ci` refuses the lock. They are never installed on Linux.
// Run after `npm install` changes the lock: node scripts/lock-platforms.mjs
import { readFileSync, writeFileSync } from 'node:fs';

const lock = JSON.parse(readFileSync('package-lock.json', 'utf8'));
let added = 0;
for (const [key, entry] of Object.entries(lock.packages)) {
  for (const [dep, version] of Object.entries(entry.optionalDependencies ?? {})) {
    const path = `node_modules/${dep}`;
    if (lock.packages[path]) continue;
    const m = /-(darwin|linux|win32|freebsd|android)-(arm64|x64|arm|ia32)(?:-|$)/.exec(dep);
    if (!m) continue;
    lock.packages[path] = { version, cpu: [m[2]], dev: entry.dev, license: 'MIT', optional: true, os: [m[1]] };
    console.log(`added ${path}@${version} (for ${key})`);
    added++;
  }
}
writeFileSync('package-lock.json', JSON.stringify(lock, null, 2) + '\n');
console.log(added ? `${added} entr${added === 1 ? 'y' : 'ies'} added` : 'lock already complete');

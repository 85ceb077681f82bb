// Links this package's own `camwire` bin into node_modules/.bin after `npm ci`, so that
// `npx camwire` in a fresh clone runs the local build at once instead of npm re-installing the
// project into its exec cache (slow, and it builds a second copy).
import { mkdirSync, rmSync, symlinkSync } from 'node:fs';

mkdirSync('node_modules/.bin', { recursive: true });
rmSync('node_modules/.bin/camwire', { force: true });
symlinkSync('../../bin/camwire.js', 'node_modules/.bin/camwire');

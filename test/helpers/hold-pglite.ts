/** Test helper process: opens the embedded store in argv[2], says "ready", holds it until killed. */
import { openPglite } from '../../src/db/pglite.ts';

const db = await openPglite(process.argv[2]!, { create: true });
process.stdout.write('ready\n');
process.on('SIGTERM', () => void db.close().then(() => process.exit(0)));
setInterval(() => {}, 1000);

/**
 * One lane of a parallel seed (lanes.ts), in a worker thread: its own connection and its own
 * World, loading the whole tables the main thread hands it, each in a transaction of its own
 * with the settings of the serial phased seed (quiet/loud). It reports progress and results by
 * message, and a failure as the error's fields; it never decides anything else.
 */
import { on } from 'node:events';
import { parentPort, workerData } from 'node:worker_threads';
import { openPostgres } from '../db/postgres.ts';
import { isEcomdbError, pgFields } from '../errors.ts';
import { TABLE_SEEDS, World } from '../../seeds/index.ts';
import type { FromLane, LaneData, ToLane } from './lanes.ts';
import { loadTable, loud, qualifiedName, quiet, transaction } from './table-load.ts';

const data = workerData as LaneData;
const port = parentPort!;
const send = (message: FromLane) => port.postMessage(message);
// Another lane failed: the table under way stops at its next chunk (its transaction rolled back).
const stopping = new AbortController();
port.on('message', (message: ToLane) => {
  if (message.kind === 'abort') stopping.abort();
});

try {
  const world = new World(data.world);
  const db = await openPostgres(data.connection, data.label, { max: 1 });
  try {
    await db.session(async (session) => {
      send({ kind: 'ready' });
      for await (const [message] of on(port, 'message') as AsyncIterable<[ToLane]>) {
        if (message.kind !== 'table') break;
        const seed = TABLE_SEEDS[message.seed]!;
        const table = qualifiedName(seed.table);
        const result = await transaction(session, async () => {
          await quiet(session, data.mode, [table]);
          const loaded = await loadTable(
            session,
            world,
            seed,
            {
              fault: data.fault,
              signal: stopping.signal,
              onTableStart: (t, expected) => send({ kind: 'start', table: t, expected }),
              onRows: (t, rows) => send({ kind: 'rows', table: t, rows }),
            },
            data.kept,
          );
          await loud(session, data.mode, [table]);
          return loaded;
        });
        send({ kind: 'done', result });
      }
    });
  } finally {
    await db.close();
  }
} catch (error) {
  send({
    kind: 'failed',
    error: isEcomdbError(error)
      ? { code: error.code, message: error.message, hint: error.hint, details: JSON.parse(JSON.stringify(error.details)) as Record<string, unknown> }
      : { message: pgFields(error).message, details: { sqlstate: pgFields(error).code } },
  });
} finally {
  port.close();
}

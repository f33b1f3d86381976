/** Run history in IndexedDB (idb): one record per finished, cancelled, failed or interrupted run. */
import { type IDBPDatabase, openDB } from 'idb';
import type { ExperimentResult } from '../experiments/schema';

export interface HistoryEntry {
  id: string;
  savedAt: number;
  name: string;
  kind: string;
  status: string;
  /** The device was lost while it ran: it can be restarted. */
  interrupted: boolean;
  result: ExperimentResult;
}

const DB = 'smx-playground';
const STORE = 'runs';
let db: Promise<IDBPDatabase> | null = null;

function open(): Promise<IDBPDatabase> {
  db ??= openDB(DB, 1, {
    upgrade(d) {
      d.createObjectStore(STORE, { keyPath: 'id' });
    },
  });
  return db;
}

export async function listHistory(): Promise<HistoryEntry[]> {
  const all = (await (await open()).getAll(STORE)) as HistoryEntry[];
  return all.sort((a, b) => b.savedAt - a.savedAt);
}

export async function saveHistory(e: HistoryEntry): Promise<void> {
  await (await open()).put(STORE, e);
}

export async function deleteHistory(id: string): Promise<void> {
  await (await open()).delete(STORE, id);
}

/**
 * The IndexedDB ring buffer of recorded segments: every segment is stored here before it is
 * sent, kept until the server acknowledges it, and the last few minutes stay available for
 * resending after a reconnect and for local clips. Eviction decisions are a pure function.
 */

export const DB_NAME = 'clippy';
const DB_VERSION = 2;
/**
 * Segment metadata and media bytes live in two stores with the same key: listing, acking and
 * eviction then touch only the small metadata records. (With one store, every listing read the
 * whole 5-minute ring back from disk: ~100 MB at 720p, every segment.)
 */
const META = 'segmentMeta';
const DATA = 'segmentData';
const LOCAL_CLIPS = 'localClips';
/** Version 1 kept metadata and bytes together; its segments are dropped on upgrade. */
const LEGACY_SEGMENTS = 'segments';
/** Local clips kept (newest); each is a few MB. */
export const MAX_LOCAL_CLIPS = 10;

export interface SegmentMeta {
  streamId: string;
  seq: number;
  start: number;
  duration: number;
  mime: string;
  size: number;
  acked: boolean;
  storedAt: number;
}

export interface StoredSegment extends SegmentMeta {
  data: ArrayBuffer;
}

export interface LocalClip {
  id?: number;
  streamId: string;
  seconds: number;
  createdAt: number;
  elapsedMs: number;
  data: ArrayBuffer;
}

/** Which stored segments to drop: everything that ended before the newest end minus the window. */
export function planEviction(metas: SegmentMeta[], windowSeconds: number): { drop: number[]; lostUnacked: number[] } {
  if (metas.length === 0) return { drop: [], lostUnacked: [] };
  const newestEnd = Math.max(...metas.map((m) => m.start + m.duration));
  const old = metas.filter((m) => m.start + m.duration <= newestEnd - windowSeconds);
  return { drop: old.map((m) => m.seq), lostUnacked: old.filter((m) => !m.acked).map((m) => m.seq) };
}

/** The newest contiguous segments that together cover at least the last `seconds`. */
export function segmentsForLast(metas: SegmentMeta[], seconds: number): SegmentMeta[] {
  const sorted = [...metas].sort((a, b) => b.seq - a.seq);
  const picked: SegmentMeta[] = [];
  let covered = 0;
  for (const m of sorted) {
    if (picked.length && picked[picked.length - 1].seq !== m.seq + 1) break; // a hole: stop there
    picked.push(m);
    covered += m.duration;
    if (covered >= seconds) break;
  }
  return picked.reverse();
}

function request<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error ?? new Error('IndexedDB request failed'));
  });
}

function done(tx: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onabort = tx.onerror = () => reject(tx.error ?? new Error('IndexedDB transaction failed'));
  });
}

function toMeta(s: StoredSegment): SegmentMeta {
  const { data: _data, ...meta } = s;
  return meta;
}

type SegmentKey = [string, number];

/** Segments and local clips in IndexedDB (shared by the offscreen document and the popup). */
export class SegmentRing {
  private constructor(private readonly db: IDBDatabase) {}

  /** Open (creating or upgrading on first use) the database. */
  static async open(factory: IDBFactory = indexedDB, name = DB_NAME): Promise<SegmentRing> {
    const req = factory.open(name, DB_VERSION);
    req.onupgradeneeded = (ev) => {
      const db = req.result;
      if (ev.oldVersion < 2 && db.objectStoreNames.contains(LEGACY_SEGMENTS)) db.deleteObjectStore(LEGACY_SEGMENTS);
      if (!db.objectStoreNames.contains(META)) {
        db.createObjectStore(META, { keyPath: ['streamId', 'seq'] }).createIndex('streamId', 'streamId');
        db.createObjectStore(DATA, { keyPath: ['streamId', 'seq'] });
      }
      if (!db.objectStoreNames.contains(LOCAL_CLIPS)) db.createObjectStore(LOCAL_CLIPS, { keyPath: 'id', autoIncrement: true });
    };
    return new SegmentRing(await request(req));
  }

  close(): void {
    this.db.close();
  }

  /** Store a segment (replacing one with the same stream and seq). */
  async put(seg: StoredSegment): Promise<void> {
    const tx = this.db.transaction([META, DATA], 'readwrite');
    tx.objectStore(META).put(toMeta(seg));
    tx.objectStore(DATA).put({ streamId: seg.streamId, seq: seg.seq, data: seg.data });
    await done(tx);
  }

  async get(streamId: string, seq: number): Promise<StoredSegment | undefined> {
    const tx = this.db.transaction([META, DATA], 'readonly');
    const key: SegmentKey = [streamId, seq];
    const [meta, data] = await Promise.all([
      request(tx.objectStore(META).get(key)) as Promise<SegmentMeta | undefined>,
      request(tx.objectStore(DATA).get(key)) as Promise<{ data: ArrayBuffer } | undefined>,
    ]);
    return meta && data ? { ...meta, data: data.data } : undefined;
  }

  /** Record that the server durably stored these segments. */
  async markAcked(streamId: string, seqs: number[]): Promise<void> {
    const tx = this.db.transaction(META, 'readwrite');
    const store = tx.objectStore(META);
    for (const seq of seqs) {
      const meta = (await request(store.get([streamId, seq]))) as SegmentMeta | undefined;
      if (meta && !meta.acked) store.put({ ...meta, acked: true });
    }
    await done(tx);
  }

  /** Metadata (no media bytes) of a stream's stored segments, by seq. */
  async list(streamId: string): Promise<SegmentMeta[]> {
    const tx = this.db.transaction(META, 'readonly');
    const all = (await request(tx.objectStore(META).index('streamId').getAll(streamId))) as SegmentMeta[];
    return all.sort((a, b) => a.seq - b.seq);
  }

  /** Sequence numbers stored but not yet acknowledged, oldest first. */
  async unacked(streamId: string): Promise<number[]> {
    return (await this.list(streamId)).filter((m) => !m.acked).map((m) => m.seq);
  }

  /** Drop segments older than the window; returns what was dropped and which of those were never acked. */
  async evict(streamId: string, windowSeconds: number): Promise<{ drop: number[]; lostUnacked: number[] }> {
    const plan = planEviction(await this.list(streamId), windowSeconds);
    if (plan.drop.length) await this.deleteKeys(plan.drop.map((seq): SegmentKey => [streamId, seq]));
    return plan;
  }

  /** Streams that have segments stored, in no particular order. */
  async streams(): Promise<string[]> {
    const tx = this.db.transaction(META, 'readonly');
    const keys = (await request(tx.objectStore(META).getAllKeys())) as SegmentKey[];
    return [...new Set(keys.map((k) => k[0]))];
  }

  /** Delete every stored segment of the other streams (only the current one is worth keeping). */
  async dropStreamsExcept(streamId: string): Promise<void> {
    const tx = this.db.transaction(META, 'readonly');
    const keys = (await request(tx.objectStore(META).getAllKeys())) as SegmentKey[];
    await this.deleteKeys(keys.filter((k) => k[0] !== streamId));
  }

  /** Keep a local clip (and only the newest `MAX_LOCAL_CLIPS`); returns its id. */
  async addLocalClip(clip: LocalClip): Promise<number> {
    const tx = this.db.transaction(LOCAL_CLIPS, 'readwrite');
    const store = tx.objectStore(LOCAL_CLIPS);
    const id = (await request(store.add(clip))) as number;
    // Ids grow with time, so the oldest clips have the smallest keys.
    const ids = (await request(store.getAllKeys())) as number[];
    for (const old of ids.sort((a, b) => a - b).slice(0, Math.max(0, ids.length - MAX_LOCAL_CLIPS))) store.delete(old);
    await done(tx);
    return id;
  }

  /** Local clips, newest first. */
  async localClips(): Promise<LocalClip[]> {
    const tx = this.db.transaction(LOCAL_CLIPS, 'readonly');
    const all = (await request(tx.objectStore(LOCAL_CLIPS).getAll())) as LocalClip[];
    return all.sort((a, b) => b.createdAt - a.createdAt);
  }

  private async deleteKeys(keys: SegmentKey[]): Promise<void> {
    if (!keys.length) return;
    const tx = this.db.transaction([META, DATA], 'readwrite');
    for (const key of keys) {
      tx.objectStore(META).delete(key);
      tx.objectStore(DATA).delete(key);
    }
    await done(tx);
  }
}

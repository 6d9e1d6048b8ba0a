/**
 * The IndexedDB ring buffer of recorded segments: every segment is stored here before it is
 * sent, kept until the server acknowledges it, and the last few minutes stay available for
 * resending after a reconnect and for local clips. Eviction decisions are a pure function.
 */

export const DB_NAME = 'clippy';
const DB_VERSION = 1;
const SEGMENTS = 'segments';
const LOCAL_CLIPS = 'localClips';

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

/** Segments and local clips in IndexedDB (shared by the offscreen document and the popup). */
export class SegmentRing {
  private constructor(private readonly db: IDBDatabase) {}

  /** Open (creating on first use) the database. */
  static async open(factory: IDBFactory = indexedDB, name = DB_NAME): Promise<SegmentRing> {
    const req = factory.open(name, DB_VERSION);
    req.onupgradeneeded = () => {
      const db = req.result;
      const segs = db.createObjectStore(SEGMENTS, { keyPath: ['streamId', 'seq'] });
      segs.createIndex('streamId', 'streamId');
      db.createObjectStore(LOCAL_CLIPS, { keyPath: 'id', autoIncrement: true });
    };
    return new SegmentRing(await request(req));
  }

  close(): void {
    this.db.close();
  }

  /** Store a segment (replacing one with the same stream and seq). */
  async put(seg: StoredSegment): Promise<void> {
    const tx = this.db.transaction(SEGMENTS, 'readwrite');
    tx.objectStore(SEGMENTS).put(seg);
    await done(tx);
  }

  async get(streamId: string, seq: number): Promise<StoredSegment | undefined> {
    const tx = this.db.transaction(SEGMENTS, 'readonly');
    return (await request(tx.objectStore(SEGMENTS).get([streamId, seq]))) as StoredSegment | undefined;
  }

  /** Record that the server durably stored these segments. */
  async markAcked(streamId: string, seqs: number[]): Promise<void> {
    const tx = this.db.transaction(SEGMENTS, 'readwrite');
    const store = tx.objectStore(SEGMENTS);
    for (const seq of seqs) {
      const seg = (await request(store.get([streamId, seq]))) as StoredSegment | undefined;
      if (seg && !seg.acked) store.put({ ...seg, acked: true });
    }
    await done(tx);
  }

  /** Metadata (no media bytes) of a stream's stored segments, by seq. */
  async list(streamId: string): Promise<SegmentMeta[]> {
    const tx = this.db.transaction(SEGMENTS, 'readonly');
    const all = (await request(tx.objectStore(SEGMENTS).index('streamId').getAll(streamId))) as StoredSegment[];
    return all.map(toMeta).sort((a, b) => a.seq - b.seq);
  }

  /** Sequence numbers stored but not yet acknowledged, oldest first. */
  async unacked(streamId: string): Promise<number[]> {
    return (await this.list(streamId)).filter((m) => !m.acked).map((m) => m.seq);
  }

  /** Drop segments older than the window; returns what was dropped and which of those were never acked. */
  async evict(streamId: string, windowSeconds: number): Promise<{ drop: number[]; lostUnacked: number[] }> {
    const plan = planEviction(await this.list(streamId), windowSeconds);
    if (plan.drop.length) {
      const tx = this.db.transaction(SEGMENTS, 'readwrite');
      for (const seq of plan.drop) tx.objectStore(SEGMENTS).delete([streamId, seq]);
      await done(tx);
    }
    return plan;
  }

  /** Streams that have segments stored, in no particular order. */
  async streams(): Promise<string[]> {
    const tx = this.db.transaction(SEGMENTS, 'readonly');
    const keys = (await request(tx.objectStore(SEGMENTS).index('streamId').getAllKeys())) as Array<[string, number]>;
    return [...new Set(keys.map((k) => k[0]))];
  }

  /** Delete every stored segment of the other streams (only the current one is worth keeping). */
  async dropStreamsExcept(streamId: string): Promise<void> {
    const others = (await this.streams()).filter((s) => s !== streamId);
    if (!others.length) return;
    const tx = this.db.transaction(SEGMENTS, 'readwrite');
    const index = tx.objectStore(SEGMENTS).index('streamId');
    for (const other of others) {
      const keys = await request(index.getAllKeys(other));
      for (const key of keys) tx.objectStore(SEGMENTS).delete(key);
    }
    await done(tx);
  }

  async addLocalClip(clip: LocalClip): Promise<number> {
    const tx = this.db.transaction(LOCAL_CLIPS, 'readwrite');
    const id = await request(tx.objectStore(LOCAL_CLIPS).add(clip));
    await done(tx);
    return id as number;
  }

  /** Local clips, newest first. */
  async localClips(): Promise<LocalClip[]> {
    const tx = this.db.transaction(LOCAL_CLIPS, 'readonly');
    const all = (await request(tx.objectStore(LOCAL_CLIPS).getAll())) as LocalClip[];
    return all.sort((a, b) => b.createdAt - a.createdAt);
  }
}

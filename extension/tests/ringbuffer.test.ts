import { IDBFactory } from 'fake-indexeddb';
import { beforeEach, describe, expect, it } from 'vitest';
import { MAX_LOCAL_CLIPS, planEviction, segmentsForLast, SegmentRing, type SegmentMeta } from '../src/shared/ringbuffer';

function meta(seq: number, duration = 10, acked = false): SegmentMeta {
  return { streamId: 's', seq, start: seq * duration, duration, mime: 'video/webm', size: 3, acked, storedAt: 0 };
}

function bytes(...b: number[]): ArrayBuffer {
  return new Uint8Array(b).buffer;
}

describe('planEviction', () => {
  it('keeps the last window of media and reports unacked segments that fall out', () => {
    const metas = Array.from({ length: 35 }, (_, i) => meta(i, 10, i !== 2)); // ends at 350 s
    const plan = planEviction(metas, 300);
    expect(plan.drop).toEqual([0, 1, 2, 3, 4]); // ended at or before 50 s
    expect(plan.lostUnacked).toEqual([2]);
  });

  it('drops nothing while the recording is shorter than the window', () => {
    expect(planEviction([meta(0), meta(1)], 300)).toEqual({ drop: [], lostUnacked: [] });
    expect(planEviction([], 300)).toEqual({ drop: [], lostUnacked: [] });
  });
});

describe('segmentsForLast', () => {
  it('takes the newest contiguous segments covering the duration', () => {
    const metas = [0, 1, 2, 3, 4].map((s) => meta(s));
    expect(segmentsForLast(metas, 30).map((m) => m.seq)).toEqual([2, 3, 4]);
    expect(segmentsForLast(metas, 25).map((m) => m.seq)).toEqual([2, 3, 4]);
    expect(segmentsForLast(metas, 500).map((m) => m.seq)).toEqual([0, 1, 2, 3, 4]);
  });

  it('stops at a hole rather than joining media that is not continuous', () => {
    expect(segmentsForLast([meta(0), meta(1), meta(3), meta(4)], 60).map((m) => m.seq)).toEqual([3, 4]);
  });
});

describe('SegmentRing (IndexedDB)', () => {
  let ring: SegmentRing;
  beforeEach(async () => {
    ring = await SegmentRing.open(new IDBFactory());
  });

  it('stores segments with their bytes and lists them by seq without the bytes', async () => {
    await ring.put({ ...meta(1), data: bytes(4, 5, 6) });
    await ring.put({ ...meta(0), data: bytes(1, 2, 3) });
    const list = await ring.list('s');
    expect(list.map((m) => m.seq)).toEqual([0, 1]);
    expect('data' in list[0]).toBe(false);
    expect([...new Uint8Array((await ring.get('s', 1))!.data)]).toEqual([4, 5, 6]);
  });

  it('tracks acknowledgements; re-putting a seq replaces it', async () => {
    for (const s of [0, 1, 2]) await ring.put({ ...meta(s), data: bytes(s) });
    await ring.markAcked('s', [0, 2, 9]);
    expect(await ring.unacked('s')).toEqual([1]);
    await ring.put({ ...meta(1), data: bytes(7) });
    expect((await ring.list('s')).length).toBe(3);
  });

  it('evicts segments older than the window and survives reopening', async () => {
    const factory = new IDBFactory();
    const r1 = await SegmentRing.open(factory);
    for (let s = 0; s < 8; s++) await r1.put({ ...meta(s, 60, s < 6), data: bytes(s) });
    const plan = await r1.evict('s', 300);
    expect(plan.drop).toEqual([0, 1, 2]);
    r1.close();
    const r2 = await SegmentRing.open(factory);
    expect((await r2.list('s')).map((m) => m.seq)).toEqual([3, 4, 5, 6, 7]);
    expect(await r2.unacked('s')).toEqual([6, 7]);
  });

  it('keeps streams apart and drops the others on demand', async () => {
    await ring.put({ ...meta(0), data: bytes(1) });
    await ring.put({ ...meta(0), streamId: 'other', data: bytes(2) });
    expect((await ring.streams()).sort()).toEqual(['other', 's']);
    await ring.dropStreamsExcept('s');
    expect(await ring.streams()).toEqual(['s']);
  });

  it('stores local clips newest first', async () => {
    await ring.addLocalClip({ streamId: 's', seconds: 30, createdAt: 1, elapsedMs: 5, data: bytes(1) });
    const id = await ring.addLocalClip({ streamId: 's', seconds: 60, createdAt: 2, elapsedMs: 5, data: bytes(2) });
    const clips = await ring.localClips();
    expect(clips.map((c) => c.id)).toEqual([id, id - 1]);
  });

  it('keeps only the newest local clips', async () => {
    for (let i = 0; i < MAX_LOCAL_CLIPS + 3; i++) {
      await ring.addLocalClip({ streamId: 's', seconds: 30, createdAt: i, elapsedMs: 5, data: bytes(i) });
    }
    const clips = await ring.localClips();
    expect(clips.map((c) => c.createdAt)).toEqual(Array.from({ length: MAX_LOCAL_CLIPS }, (_, i) => MAX_LOCAL_CLIPS + 2 - i));
  });

  it('evicted segments lose their bytes too', async () => {
    for (let s = 0; s < 3; s++) await ring.put({ ...meta(s, 200), data: bytes(s) });
    await ring.evict('s', 300);
    expect(await ring.get('s', 0)).toBeUndefined();
    expect([...new Uint8Array((await ring.get('s', 2))!.data)]).toEqual([2]);
  });

  it('upgrades a version-1 database (one combined store) and keeps its local clips', async () => {
    const factory = new IDBFactory();
    await new Promise<void>((resolve, reject) => {
      const req = factory.open('clippy', 1);
      req.onupgradeneeded = () => {
        req.result.createObjectStore('segments', { keyPath: ['streamId', 'seq'] }).put({ ...meta(0), data: bytes(1) });
        req.result.createObjectStore('localClips', { keyPath: 'id', autoIncrement: true }).put({ streamId: 's', seconds: 30, createdAt: 1, elapsedMs: 1, data: bytes(9) });
      };
      req.onsuccess = () => {
        req.result.close();
        resolve();
      };
      req.onerror = () => reject(req.error);
    });
    const upgraded = await SegmentRing.open(factory);
    expect(await upgraded.list('s')).toEqual([]);
    expect((await upgraded.localClips()).length).toBe(1);
    await upgraded.put({ ...meta(0), data: bytes(2) });
    expect((await upgraded.list('s')).map((m) => m.seq)).toEqual([0]);
  });
});

import { describe, expect, it } from 'vitest';
import type { StartMessage } from '../src/shared/protocol';
import { backoffDelay, CLOSE_UNAUTHORIZED, MAX_PENDING_CHAT_LINES, seqsToResend, UploadSession, type Action } from '../src/shared/session';

const START: StartMessage = { type: 'start', stream_id: 's1', title: 't', page_url: 'https://x', platform: 'other', segment_seconds: 10 };

function sentSegments(actions: Action[]): number[] {
  return actions.flatMap((a) => (a.kind === 'send-segment' ? [a.seq] : []));
}

function jsonTypes(actions: Action[]): string[] {
  return actions.flatMap((a) => (a.kind === 'send-json' ? [a.message.type] : []));
}

/** A session that has authenticated and started, with the server holding `acked`. */
function streaming(acked: Array<[number, number]> = [], maxInFlight = 3): UploadSession {
  const s = new UploadSession({ token: 't', start: START, maxInFlight, random: () => 0.5 });
  s.begin();
  s.opened('t');
  s.received({ type: 'welcome', protocol: 1, user: { id: 1, plan: 'free' } });
  s.received({ type: 'started', stream_id: 7, client_stream_id: 's1', acked, next_seq: 0, max_segment_bytes: 1 });
  return s;
}

describe('seqsToResend', () => {
  it('lists held segments the server lacks, oldest first', () => {
    expect(seqsToResend([5, 1, 3, 2], new Set([2]))).toEqual([1, 3, 5]);
  });
});

describe('backoffDelay', () => {
  it('doubles per attempt, is capped, and jitters within ±25 %', () => {
    expect(backoffDelay(0, () => 0.5)).toBe(500);
    expect(backoffDelay(3, () => 0.5)).toBe(4000);
    expect(backoffDelay(20, () => 0.5)).toBe(8000);
    expect(backoffDelay(1, () => 0)).toBe(750);
    expect(backoffDelay(1, () => 1)).toBe(1250);
  });
});

describe('UploadSession', () => {
  it('authenticates, then starts the stream', () => {
    const s = new UploadSession({ token: 'x', start: START });
    expect(s.begin()).toEqual([{ kind: 'connect', freshToken: false }]);
    const hello = s.opened('tok');
    expect(hello[0]).toMatchObject({ kind: 'send-json', message: { type: 'hello', protocol: 1, token: 'tok' } });
    expect(jsonTypes(s.received({ type: 'welcome', protocol: 1, user: { id: 1, plan: 'free' } }))).toEqual(['start']);
  });

  it('holds segments recorded before the connection is up and sends them once started', () => {
    const s = new UploadSession({ token: 'x', start: START });
    s.begin();
    expect(s.segmentStored(0)).toEqual([]);
    expect(s.segmentStored(1)).toEqual([]);
    s.opened('t');
    s.received({ type: 'welcome', protocol: 1, user: { id: 1, plan: 'free' } });
    const actions = s.received({ type: 'started', stream_id: 7, client_stream_id: 's1', acked: [], next_seq: 0, max_segment_bytes: 1 });
    expect(sentSegments(actions)).toEqual([0, 1]);
  });

  it('keeps at most maxInFlight segments unacknowledged on the wire', () => {
    const s = streaming([], 2);
    expect(sentSegments([...s.segmentStored(0), ...s.segmentStored(1), ...s.segmentStored(2)])).toEqual([0, 1]);
    const afterAck = s.received({ type: 'ack', seq: 0, segment_id: 1, duplicate: false });
    expect(afterAck[0]).toEqual({ kind: 'acked', seqs: [0] });
    expect(sentSegments(afterAck)).toEqual([2]);
  });

  it('after a drop, reconnects with backoff and resends only what the server lacks', () => {
    const s = streaming();
    for (const seq of [0, 1, 2]) s.segmentStored(seq);
    s.received({ type: 'ack', seq: 0, segment_id: 1, duplicate: false });
    // Seqs 1 and 2 were on the wire when the server died; 1 had been stored before the crash.
    expect(s.closed(1006)).toEqual([{ kind: 'reconnect-after', delayMs: 500 }]);
    expect(s.segmentStored(3)).toEqual([]); // recorded during the outage: held
    expect(s.closed(1006)).toEqual([{ kind: 'reconnect-after', delayMs: 1000 }]); // second failure backs off more
    expect(s.retry()).toEqual([{ kind: 'connect', freshToken: false }]);
    s.opened('t');
    s.received({ type: 'welcome', protocol: 1, user: { id: 1, plan: 'free' } });
    const actions = s.received({ type: 'started', stream_id: 7, client_stream_id: 's1', acked: [[0, 1]], next_seq: 2, max_segment_bytes: 1 });
    expect(actions[0]).toEqual({ kind: 'acked', seqs: [1] });
    expect(sentSegments(actions)).toEqual([2, 3]);
    expect(s.attempt).toBe(0);
  });

  it('treats a duplicate ack like an ack (the server stored it once)', () => {
    const s = streaming();
    s.segmentStored(0);
    s.received({ type: 'ack', seq: 0, segment_id: 1, duplicate: true });
    expect(s.held.size).toBe(0);
    expect(s.acked.has(0)).toBe(true);
  });

  it('asks for a fresh token after an unauthorized close', () => {
    const s = streaming();
    s.received({ type: 'error', code: 'unauthorized', message: 'expired', fatal: true });
    s.closed(CLOSE_UNAUTHORIZED);
    expect(s.retry()).toEqual([{ kind: 'connect', freshToken: true }]);
  });

  it('gives up on a fatal refusal that retrying cannot fix', () => {
    const s = streaming();
    s.received({ type: 'error', code: 'unsupported_protocol', message: 'v2 only', fatal: true });
    expect(s.state).toBe('failed');
    expect(s.closed(4400)).toEqual([]);
  });

  it('keeps recording when the server cannot recognise the chosen language', () => {
    const s = streaming();
    s.segmentStored(0);
    const why = 'Whisper tiny.en understands English only, so the language cannot be de';
    const actions = s.received({ type: 'error', code: 'unsupported_language', message: why, fatal: false });
    expect(actions[0]).toMatchObject({ kind: 'refused', seq: null, code: 'unsupported_language' });
    expect(s.state).toBe('streaming');
    expect([...s.held]).toEqual([0]); // still held until acknowledged: nothing is dropped
    expect(s.lastError).toBe(`unsupported_language: ${why}`);
  });

  it('drops a segment the server refuses and carries on with the next', () => {
    const s = streaming();
    s.segmentStored(0);
    s.segmentStored(1);
    const actions = s.received({ type: 'error', code: 'invalid_media', message: 'truncated', seq: 0 });
    expect(actions[0]).toMatchObject({ kind: 'refused', seq: 0, code: 'invalid_media' });
    expect([...s.held]).toEqual([1]);
    expect(s.lastError).toBe('invalid_media: truncated');
  });

  it('sends stop only after every held segment is acknowledged', () => {
    const s = streaming();
    s.segmentStored(0);
    expect(jsonTypes(s.stop())).toEqual([]);
    expect(jsonTypes(s.received({ type: 'ack', seq: 0, segment_id: 1, duplicate: false }))).toEqual(['stop']);
    expect(s.received({ type: 'stopped', stream_id: 7 })).toEqual([{ kind: 'close' }, { kind: 'finished' }]);
    expect(s.closed(1000)).toEqual([]);
  });

  it('stops after a reconnect when the stop was asked for during an outage', () => {
    const s = streaming();
    s.segmentStored(0);
    s.closed(1006);
    s.stop();
    s.retry();
    s.opened('t');
    s.received({ type: 'welcome', protocol: 1, user: { id: 1, plan: 'free' } });
    const actions = s.received({ type: 'started', stream_id: 7, client_stream_id: 's1', acked: [[0, 0]], next_seq: 1, max_segment_bytes: 1 });
    expect(jsonTypes(actions)).toEqual(['stop']);
  });

  it('sends a region change now when streaming and in the next start otherwise', () => {
    const region = { x: 1, y: 2, width: 3, height: 4, frame_width: 10, frame_height: 10 };
    const s = streaming();
    expect(jsonTypes(s.regionChanged(region))).toEqual(['region']);
    s.closed(1006);
    expect(s.regionChanged({ ...region, x: 5 })).toEqual([]);
    s.retry();
    s.opened('t');
    const [start] = s.received({ type: 'welcome', protocol: 1, user: { id: 1, plan: 'free' } });
    expect(start).toMatchObject({ kind: 'send-json', message: { type: 'start', video_region: { x: 5 } } });
  });

  it('forgets segments evicted from the ring', () => {
    const s = streaming([], 1);
    s.segmentStored(0);
    s.segmentStored(1);
    expect(sentSegments(s.segmentsEvicted([0]))).toEqual([1]);
  });

  it('sends chat at once while streaming and holds it across an outage', () => {
    const line = (n: number) => ({ author: 'a', text: `m${n}`, time: n });
    const s = streaming();
    expect(s.chat([line(1)])).toEqual([{ kind: 'send-json', message: { type: 'chat', lines: [line(1)] } }]);
    s.segmentStored(0);
    s.closed(1006);
    expect(s.chat([line(2)])).toEqual([]);
    expect(s.chat([line(3)])).toEqual([]);
    s.retry();
    s.opened('t');
    s.received({ type: 'welcome', protocol: 1, user: { id: 1, plan: 'free' } });
    const actions = s.received({ type: 'started', stream_id: 7, client_stream_id: 's1', acked: [], next_seq: 0, max_segment_bytes: 1 });
    // After `started` (the server refuses chat before it): the held lines once, and the segment.
    expect(actions.filter((a) => a.kind === 'send-json')).toEqual([{ kind: 'send-json', message: { type: 'chat', lines: [line(2), line(3)] } }]);
    expect([...s.held]).toEqual([0]); // still held until acknowledged: nothing is dropped
    s.closed(1006);
    s.retry();
    s.opened('t');
    s.received({ type: 'welcome', protocol: 1, user: { id: 1, plan: 'free' } });
    expect(jsonTypes(s.received({ type: 'started', stream_id: 7, client_stream_id: 's1', acked: [[0, 0]], next_seq: 1, max_segment_bytes: 1 }))).toEqual([]);
  });

  it('bounds the chat held during a long outage, dropping the oldest lines', () => {
    const s = streaming();
    s.closed(1006);
    const lines = Array.from({ length: MAX_PENDING_CHAT_LINES + 5 }, (_, i) => ({ author: 'a', text: `m${i}`, time: i }));
    s.chat(lines);
    s.retry();
    s.opened('t');
    s.received({ type: 'welcome', protocol: 1, user: { id: 1, plan: 'free' } });
    const [flush] = s.received({ type: 'started', stream_id: 7, client_stream_id: 's1', acked: [], next_seq: 0, max_segment_bytes: 1 });
    expect(flush).toMatchObject({ kind: 'send-json', message: { type: 'chat' } });
    const sent = flush.kind === 'send-json' && flush.message.type === 'chat' ? flush.message.lines : [];
    expect(sent).toHaveLength(MAX_PENDING_CHAT_LINES);
    expect(sent[0].text).toBe('m5');
  });

  it('passes clip notifications through', () => {
    const s = streaming();
    const clip = { id: 5, title: 'no way', start: 1, end: 2, reason: 'loud', score: 3, thumbnail_url: null, file_url: null };
    expect(s.received({ type: 'clip_created', stream_id: 7, clip })).toEqual([{ kind: 'clip', clip }]);
  });
});

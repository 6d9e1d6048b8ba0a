import { describe, expect, it } from 'vitest';
import {
  decodeSegmentFrame,
  encodeSegmentFrame,
  isValidStreamId,
  makeStreamId,
  parseServerEvent,
  ProtocolError,
  runsToSet,
  setToRuns,
} from '../src/shared/protocol';

describe('segment frame codec', () => {
  it('writes a big-endian header length, the JSON header and the media bytes', () => {
    const media = new Uint8Array([0x1a, 0x45, 0xdf, 0xa3, 1, 2, 3]);
    const header = { seq: 4, start: 40, duration: 10, mime: 'video/webm' };
    const frame = new Uint8Array(encodeSegmentFrame(header, media));
    const json = JSON.stringify(header);
    expect(new DataView(frame.buffer).getUint32(0, false)).toBe(json.length);
    expect(new TextDecoder().decode(frame.slice(4, 4 + json.length))).toBe(json);
    expect([...frame.slice(4 + json.length)]).toEqual([...media]);
  });

  it('round-trips through decode', () => {
    const media = new Uint8Array(1000).map((_, i) => i % 251);
    const header = { seq: 123456, start: 1.5, duration: 2.25, mime: 'video/webm' };
    const { header: h, media: m } = decodeSegmentFrame(encodeSegmentFrame(header, media));
    expect(h).toEqual(header);
    expect([...m]).toEqual([...media]);
  });

  it('handles non-ASCII header text by byte length, not character length', () => {
    const header = { seq: 0, start: 0, duration: 1, mime: 'vidéo/webm' };
    const { header: h } = decodeSegmentFrame(encodeSegmentFrame(header, new Uint8Array([9])));
    expect(h.mime).toBe('vidéo/webm');
  });

  it('refuses a frame whose header length runs past its end', () => {
    const frame = new Uint8Array(8);
    new DataView(frame.buffer).setUint32(0, 100, false);
    expect(() => decodeSegmentFrame(frame.buffer)).toThrow(ProtocolError);
    expect(() => decodeSegmentFrame(new ArrayBuffer(2))).toThrow(/no header length/);
  });
});

describe('server events', () => {
  it('parses known events and keeps unknown ones as "unknown"', () => {
    expect(parseServerEvent('{"type":"ack","seq":3,"segment_id":9,"duplicate":false}')).toEqual({ type: 'ack', seq: 3, segment_id: 9, duplicate: false });
    const ev = parseServerEvent('{"type":"future_thing","x":1}');
    expect(ev.type).toBe('unknown');
  });

  it('rejects text that is not a protocol event', () => {
    expect(() => parseServerEvent('not json')).toThrow(/not JSON/);
    expect(() => parseServerEvent('[1,2]')).toThrow(/no "type"/);
    expect(() => parseServerEvent('{"seq":1}')).toThrow(ProtocolError);
  });
});

describe('acked runs', () => {
  it('expands inclusive runs', () => {
    expect([...runsToSet([[0, 2], [5, 5]])].sort()).toEqual([0, 1, 2, 5]);
    expect(runsToSet([]).size).toBe(0);
  });

  it('compresses sequence numbers into sorted runs, ignoring duplicates', () => {
    expect(setToRuns([5, 0, 1, 2, 2, 7, 8])).toEqual([[0, 2], [5, 5], [7, 8]]);
    expect(setToRuns([])).toEqual([]);
  });
});

describe('stream ids', () => {
  it('makes ids the server accepts', () => {
    const id = makeStreamId(new Date('2026-11-24T20:00:05Z'), () => 0.5);
    expect(id).toBe('7fffff-2026-11-24T20:00:05');
    expect(isValidStreamId(id)).toBe(true);
  });

  it('rejects ids with other characters or over 64 characters', () => {
    expect(isValidStreamId('a b')).toBe(false);
    expect(isValidStreamId('x'.repeat(65))).toBe(false);
    expect(isValidStreamId('')).toBe(false);
  });
});

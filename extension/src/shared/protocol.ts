/**
 * Clippy ingest protocol v1 (docs/protocol.md): message types, the binary segment frame
 * codec and helpers for the server's `acked` runs. Pure: no I/O.
 */

export const PROTOCOL_VERSION = 1;
export const CLIENT_NAME = 'clippy-extension/0.1';

/** The page's main video rectangle in captured-frame pixels. */
export interface VideoRegion {
  x: number;
  y: number;
  width: number;
  height: number;
  frame_width: number;
  frame_height: number;
}

export interface SegmentHeader {
  seq: number;
  start: number;
  duration: number;
  mime: string;
}

/** Inclusive runs of sequence numbers, e.g. [[0, 5], [7, 7]]. */
export type AckedRuns = Array<[number, number]>;

export interface ChatLine {
  author: string;
  text: string;
  time: number;
  /** The author's roles where the page shows badges ("moderator", "broadcaster"). */
  badges?: string[];
}

export interface StartMessage {
  type: 'start';
  stream_id: string;
  title: string;
  page_url: string;
  platform: string;
  video_region?: VideoRegion;
  segment_seconds: number;
  /** The stream's spoken language (`de`, `auto`); absent: the account's choice applies. */
  language?: string;
}

export type ClientMessage =
  | { type: 'hello'; protocol: number; token: string; client: string }
  | StartMessage
  | { type: 'chat'; lines: ChatLine[] }
  | { type: 'region'; video_region: VideoRegion }
  | { type: 'acked?' }
  | { type: 'stats' }
  | { type: 'ping' }
  | { type: 'stop' };

export interface ClipInfo {
  id: number;
  title: string;
  start: number;
  end: number;
  reason: string;
  score: number;
  thumbnail_url: string | null;
  file_url: string | null;
}

export type ServerEvent =
  | { type: 'welcome'; protocol: number; user: { id: number; plan: string } }
  | { type: 'started'; stream_id: number; client_stream_id: string; acked: AckedRuns; next_seq: number; max_segment_bytes: number; language?: string }
  | { type: 'ack'; seq: number; segment_id: number; duplicate: boolean }
  | { type: 'error'; code: string; message: string; fatal?: boolean; seq?: number }
  | { type: 'clip_created'; stream_id: number; clip: ClipInfo }
  | { type: 'stopped'; stream_id: number }
  | { type: 'acked'; stream_id: number; acked: AckedRuns }
  | { type: 'chat_ack'; count: number }
  | { type: 'region_ack' }
  | { type: 'pong' }
  | { type: 'stats'; segments: number; bytes: number; pipeline_queue: number }
  | { type: 'unknown'; raw: Record<string, unknown> };

const KNOWN_EVENTS = new Set([
  'welcome', 'started', 'ack', 'error', 'clip_created', 'stopped', 'acked', 'chat_ack', 'region_ack', 'pong', 'stats',
]);

/** The server sent something that is not protocol v1. */
export class ProtocolError extends Error {
  override name = 'ProtocolError';
}

const STREAM_ID_RE = /^[A-Za-z0-9_.:-]{1,64}$/;

/** Whether `id` is acceptable as a client-chosen stream id (letters, digits, `_ . : -`, ≤ 64). */
export function isValidStreamId(id: string): boolean {
  return STREAM_ID_RE.test(id);
}

/** A fresh client stream id such as `c0ffee-2026-11-24T20:00:05`, unique per recording. */
export function makeStreamId(now: Date, random: () => number = Math.random): string {
  const tag = Math.floor(random() * 0xffffff).toString(16).padStart(6, '0');
  return `${tag}-${now.toISOString().slice(0, 19)}`;
}

/** Encode one binary segment frame: uint32 BE header length, JSON header, media bytes. */
export function encodeSegmentFrame(header: SegmentHeader, media: Uint8Array): ArrayBuffer {
  const json = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(4 + json.length + media.length);
  new DataView(out.buffer).setUint32(0, json.length, false);
  out.set(json, 4);
  out.set(media, 4 + json.length);
  return out.buffer;
}

/** Decode a binary segment frame (the inverse of `encodeSegmentFrame`). */
export function decodeSegmentFrame(frame: ArrayBuffer): { header: SegmentHeader; media: Uint8Array } {
  if (frame.byteLength < 4) throw new ProtocolError(`segment frame of ${frame.byteLength} bytes has no header length`);
  const n = new DataView(frame).getUint32(0, false);
  if (4 + n > frame.byteLength) {
    throw new ProtocolError(`segment header claims ${n} bytes but the frame has only ${frame.byteLength - 4}`);
  }
  const header = JSON.parse(new TextDecoder().decode(new Uint8Array(frame, 4, n))) as SegmentHeader;
  return { header, media: new Uint8Array(frame, 4 + n) };
}

/** Parse a text frame from the server; unknown event types come back as `{type: 'unknown'}`. */
export function parseServerEvent(text: string): ServerEvent {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new ProtocolError(`server sent a text frame that is not JSON: ${text.slice(0, 80)}`);
  }
  if (typeof data !== 'object' || data === null || typeof (data as { type?: unknown }).type !== 'string') {
    throw new ProtocolError(`server event has no "type": ${text.slice(0, 80)}`);
  }
  const raw = data as Record<string, unknown>;
  if (!KNOWN_EVENTS.has(raw.type as string)) return { type: 'unknown', raw };
  return raw as unknown as ServerEvent;
}

/** Expand inclusive runs into the set of sequence numbers they cover. */
export function runsToSet(runs: AckedRuns): Set<number> {
  const out = new Set<number>();
  for (const [first, last] of runs) for (let s = first; s <= last; s++) out.add(s);
  return out;
}

/** Compress sequence numbers into sorted inclusive runs (the server's `acked` format). */
export function setToRuns(seqs: Iterable<number>): AckedRuns {
  const sorted = [...new Set(seqs)].sort((a, b) => a - b);
  const runs: AckedRuns = [];
  for (const s of sorted) {
    const last = runs[runs.length - 1];
    if (last && s === last[1] + 1) last[1] = s;
    else runs.push([s, s]);
  }
  return runs;
}

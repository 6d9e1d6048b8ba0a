/**
 * Just enough WebM (Matroska/EBML) parsing to check what MediaRecorder handed over. Starved of
 * CPU, Chrome's recorder can produce a ~100-byte blob (the EBML header, then zeros where the
 * Segment should be), or a segment whose media covers much less than the time it recorded for
 * (measured under load: 0.5 s of media from a 2 s recorder). Both were refused by the server
 * (`invalid_media`) and broke local clips; these functions let the recorder skip the first and
 * label the second with the duration it really holds.
 */

const EBML_ID = 0x1a45dfa3;
const SEGMENT_ID = 0x18538067;
const CLUSTER_ID = [0x1f, 0x43, 0xb6, 0x75];

/** An EBML variable-length integer at `pos`: its value (with the length marker removed) and byte length. */
export function readVint(bytes: Uint8Array, pos: number): { value: number; length: number } | null {
  if (pos >= bytes.length) return null;
  const first = bytes[pos];
  if (first === 0) return null; // a length marker is in the first byte; 0 is never valid
  const length = Math.clz32(first) - 23; // leading zeros within the byte, plus one
  if (pos + length > bytes.length) return null;
  let value = first & (0xff >> length);
  for (let i = 1; i < length; i++) value = value * 256 + bytes[pos + i];
  return { value, length };
}

function readId(bytes: Uint8Array, pos: number): number {
  if (pos + 4 > bytes.length) return -1;
  return ((bytes[pos] << 24) | (bytes[pos + 1] << 16) | (bytes[pos + 2] << 8) | bytes[pos + 3]) >>> 0;
}

/** Whether `bytes` is a WebM file with a Segment that contains at least one Cluster (media data). */
export function hasWebmMedia(bytes: Uint8Array): boolean {
  if (readId(bytes, 0) !== EBML_ID) return false;
  const headerSize = readVint(bytes, 4);
  if (!headerSize) return false;
  const segmentAt = 4 + headerSize.length + headerSize.value;
  if (readId(bytes, segmentAt) !== SEGMENT_ID) return false;
  const segmentSize = readVint(bytes, segmentAt + 4);
  if (!segmentSize) return false;
  // Clusters follow the track and seek metadata; a byte scan is cheap next to the recording.
  for (let i = segmentAt + 4 + segmentSize.length; i + 4 <= bytes.length; i++) {
    if (bytes[i] === CLUSTER_ID[0] && bytes[i + 1] === CLUSTER_ID[1] && bytes[i + 2] === CLUSTER_ID[2] && bytes[i + 3] === CLUSTER_ID[3]) return true;
  }
  return false;
}

const INFO_ID = 0x1549a966;
const TIMECODE_SCALE_ID = 0x2ad7b1;
const CLUSTER = 0x1f43b675;
const CLUSTER_TIMECODE_ID = 0xe7;
const SIMPLE_BLOCK_ID = 0xa3;
const BLOCK_GROUP_ID = 0xa0;
const BLOCK_ID = 0xa1;
/** Top-level elements that end a Cluster of unknown size (MediaRecorder writes clusters so). */
const TOP_LEVEL = new Set([CLUSTER, 0x1c53bb6b, 0x1254c367, 0x1043a770, 0x114d9b74, INFO_ID, 0x1654ae6b]);
/** An element size whose bits are all ones: "unknown", runs to the end of its parent. */
const UNKNOWN = -1;

interface Element {
  id: number;
  /** Where the element's data starts and ends (end: the parent's end when the size is unknown). */
  start: number;
  end: number;
  unknownSize: boolean;
}

function readElement(bytes: Uint8Array, pos: number, parentEnd: number): Element | null {
  if (pos >= parentEnd) return null;
  const idLen = Math.clz32(bytes[pos]) - 23;
  if (idLen < 1 || idLen > 4 || pos + idLen > parentEnd) return null;
  let id = 0;
  for (let i = 0; i < idLen; i++) id = id * 256 + bytes[pos + i];
  const size = readVint(bytes, pos + idLen);
  if (!size) return null;
  const start = pos + idLen + size.length;
  const sizeAt = pos + idLen;
  let allOnes = (bytes[sizeAt] | (0xff00 >> size.length)) === 0xff;
  for (let i = 1; i < size.length; i++) allOnes &&= bytes[sizeAt + i] === 0xff;
  const length = allOnes ? UNKNOWN : size.value;
  return { id, start, end: length === UNKNOWN ? parentEnd : Math.min(parentEnd, start + length), unknownSize: allOnes };
}

function readUint(bytes: Uint8Array, start: number, end: number): number {
  let v = 0;
  for (let i = start; i < end; i++) v = v * 256 + bytes[i];
  return v;
}

/** Timestamp (in timecode units, relative to its cluster) of a SimpleBlock/Block at `start`. */
function blockTime(bytes: Uint8Array, start: number): number | null {
  const track = readVint(bytes, start);
  if (!track || start + track.length + 2 > bytes.length) return null;
  const at = start + track.length;
  const raw = (bytes[at] << 8) | bytes[at + 1];
  return raw >= 0x8000 ? raw - 0x10000 : raw;
}

/**
 * Seconds from the start of a WebM to its last audio/video block, or null when the file cannot
 * be walked. Handles both finished files (known sizes) and MediaRecorder's live layout
 * (Segment and Clusters of unknown size).
 */
export function webmLastBlockSeconds(bytes: Uint8Array): number | null {
  const header = readElement(bytes, 0, bytes.length);
  if (!header || header.id !== EBML_ID) return null;
  const segment = readElement(bytes, header.end, bytes.length);
  if (!segment || segment.id !== SEGMENT_ID) return null;
  let scaleNs = 1_000_000;
  let last: number | null = null;
  let pos = segment.start;
  while (pos < segment.end) {
    const el = readElement(bytes, pos, segment.end);
    if (!el) break;
    if (el.id === INFO_ID) {
      for (let p = el.start, c; (c = readElement(bytes, p, el.end)); p = c.end) {
        if (c.id === TIMECODE_SCALE_ID) scaleNs = readUint(bytes, c.start, c.end);
      }
    } else if (el.id === CLUSTER) {
      let clusterTime = 0;
      let p = el.start;
      for (let c; (c = readElement(bytes, p, el.end)); p = c.end) {
        if (el.unknownSize && TOP_LEVEL.has(c.id)) break; // the next cluster (or cues) begins
        if (c.id === CLUSTER_TIMECODE_ID) clusterTime = readUint(bytes, c.start, c.end);
        const blocks = c.id === BLOCK_GROUP_ID ? [...childrenOf(bytes, c)].filter((b) => b.id === BLOCK_ID) : c.id === SIMPLE_BLOCK_ID ? [c] : [];
        for (const b of blocks) {
          const t = blockTime(bytes, b.start);
          if (t !== null) last = Math.max(last ?? -Infinity, clusterTime + t);
        }
      }
      if (el.unknownSize) {
        pos = p;
        continue;
      }
    }
    if (el.unknownSize) break; // an unknown-size element we do not walk runs to the end
    pos = el.end;
  }
  return last === null ? null : (last * scaleNs) / 1e9;
}

function* childrenOf(bytes: Uint8Array, parent: Element): Generator<Element> {
  for (let p = parent.start, c; (c = readElement(bytes, p, parent.end)); p = c.end) yield c;
}

/** The last block's own length is not stored; one frame at the capture rate stands in for it. */
const LAST_BLOCK_SECONDS = 1 / 30;

/**
 * The duration to announce for a recorded segment: the recorder's wall time, unless the media
 * ends well before it (a starved capture), then the media's end. Null when it holds no media.
 */
export function segmentDuration(bytes: Uint8Array, wallSeconds: number): number | null {
  if (!hasWebmMedia(bytes)) return null;
  const last = webmLastBlockSeconds(bytes);
  if (last === null) return wallSeconds;
  const mediaEnd = last + LAST_BLOCK_SECONDS;
  // Normally the two agree within a frame or two; the wall clock keeps segments contiguous.
  return mediaEnd < wallSeconds * 0.9 ? Math.round(mediaEnd * 1000) / 1000 : wallSeconds;
}

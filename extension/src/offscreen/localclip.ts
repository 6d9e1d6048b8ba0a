/**
 * "Clip the last N seconds" without the server: FFmpeg.wasm joins the newest segments from the
 * ring buffer and encodes an MP4 (H.264 + AAC, capped at 720p). The FFmpeg core ships inside
 * the extension (dist/ffmpeg/), so this works offline.
 */
import { FFmpeg } from '@ffmpeg/ffmpeg';
import { segmentsForLast, type SegmentMeta, type SegmentRing } from '../shared/ringbuffer';

/** No segments to clip: nothing was recorded yet, or the ring was emptied. */
export class NothingToClip extends Error {
  override name = 'NothingToClip';
}

/** FFmpeg arguments that join `count` segment files and keep the last `seconds` of them. */
export function localClipArgs(count: number, totalSeconds: number, seconds: number): string[] {
  const inputs = Array.from({ length: count }, (_, i) => ['-i', `seg${i}.webm`]).flat();
  const pads = Array.from({ length: count }, (_, i) => `[${i}:v:0][${i}:a:0]`).join('');
  // Every segment restarts its timestamps at 0, so the concat *filter* (not the demuxer) joins
  // them; scale/fps make segments of different tab sizes joinable and cap the size at 720p.
  const filter = `${pads}concat=n=${count}:v=1:a=1[cv][a];[cv]scale=w='min(1280,iw)':h=-2,fps=30,format=yuv420p[v]`;
  const skip = Math.max(0, totalSeconds - seconds);
  return [
    ...inputs,
    '-filter_complex', filter,
    '-map', '[v]', '-map', '[a]',
    '-ss', skip.toFixed(3),
    '-c:v', 'libx264', '-preset', 'ultrafast', '-crf', '26',
    '-c:a', 'aac', '-b:a', '128k',
    '-movflags', '+faststart',
    'out.mp4',
  ];
}

let ffmpeg: FFmpeg | null = null;
/** The newest FFmpeg log lines, quoted in errors so a failure says why. */
const logTail: string[] = [];

async function loadFFmpeg(): Promise<FFmpeg> {
  if (ffmpeg) return ffmpeg;
  const instance = new FFmpeg();
  instance.on('log', ({ message }) => {
    logTail.push(message);
    if (logTail.length > 12) logTail.shift();
  });
  await instance.load({
    coreURL: chrome.runtime.getURL('ffmpeg/ffmpeg-core.js'),
    wasmURL: chrome.runtime.getURL('ffmpeg/ffmpeg-core.wasm'),
  });
  ffmpeg = instance;
  return instance;
}

/** Encode the last `seconds` of `streamId` from the ring into an MP4; returns its bytes. */
export async function makeLocalClip(ring: SegmentRing, streamId: string, seconds: number): Promise<{ mp4: Uint8Array; segments: SegmentMeta[] }> {
  const segments = segmentsForLast(await ring.list(streamId), seconds);
  if (!segments.length) throw new NothingToClip(`No recorded segments of stream ${streamId} are stored locally; record first`);
  const ff = await loadFFmpeg();
  const names: string[] = [];
  try {
    for (const [i, meta] of segments.entries()) {
      const seg = await ring.get(streamId, meta.seq);
      if (!seg) throw new NothingToClip(`Segment ${meta.seq} left the local buffer while clipping; try again`);
      names.push(`seg${i}.webm`);
      await ff.writeFile(names[i], new Uint8Array(seg.data));
    }
    const total = segments.reduce((s, m) => s + m.duration, 0);
    logTail.length = 0;
    const code = await ff.exec(localClipArgs(segments.length, total, seconds));
    if (code !== 0) throw new Error(`FFmpeg.wasm failed (exit code ${code}) making the local clip: ${logTail.slice(-4).join(' | ')}`);
    const out = await ff.readFile('out.mp4');
    if (typeof out === 'string') throw new Error('FFmpeg.wasm returned text instead of the MP4 bytes');
    await ff.deleteFile('out.mp4');
    return { mp4: out, segments };
  } finally {
    for (const name of names) await ff.deleteFile(name).catch(() => undefined);
  }
}

/**
 * Tab capture → standalone WebM segments. MediaRecorder timeslice chunks after the first are
 * not decodable on their own, so a fresh recorder is started for every segment (each one then
 * begins with a header and a keyframe). The next recorder starts before the previous stops, so
 * segments overlap by a few milliseconds instead of leaving gaps.
 */
import type { CaptureLimits } from '../shared/settings';
import { segmentDuration } from '../shared/webm';

export interface RecordedSegment {
  seq: number;
  /** Stream time in seconds (0 = recording start). */
  start: number;
  duration: number;
  mime: string;
  data: ArrayBuffer;
}

/** The last segment runs at least this long, so it holds a video frame and not only audio. */
const MIN_LAST_SEGMENT_MS = 1000;

const MIME_CANDIDATES = ['video/webm;codecs=vp8,opus', 'video/webm;codecs=vp9,opus', 'video/webm'];

/** The first WebM type this browser's MediaRecorder supports. */
export function pickMimeType(isSupported: (t: string) => boolean = (t) => MediaRecorder.isTypeSupported(t)): string {
  const found = MIME_CANDIDATES.find(isSupported);
  if (!found) throw new Error('This browser cannot record WebM with MediaRecorder');
  return found;
}

/** Open the tab's audio+video stream from a `chrome.tabCapture.getMediaStreamId` id. */
export async function openTabStream(mediaStreamId: string, limits: CaptureLimits): Promise<MediaStream> {
  // Chrome's tab capture only understands the legacy `mandatory` constraints.
  const constraints = {
    audio: { mandatory: { chromeMediaSource: 'tab', chromeMediaSourceId: mediaStreamId } },
    video: {
      mandatory: {
        chromeMediaSource: 'tab',
        chromeMediaSourceId: mediaStreamId,
        maxWidth: limits.maxWidth,
        maxHeight: limits.maxHeight,
        maxFrameRate: limits.maxFrameRate,
      },
    },
  } as unknown as MediaStreamConstraints;
  return navigator.mediaDevices.getUserMedia(constraints);
}

/**
 * Capturing a tab mutes it for the user; routing the captured audio to the speakers keeps it
 * audible. Returns a function that stops the playback.
 */
export function keepTabAudible(stream: MediaStream): () => void {
  if (stream.getAudioTracks().length === 0) return () => undefined;
  const ctx = new AudioContext();
  ctx.createMediaStreamSource(stream).connect(ctx.destination);
  return () => void ctx.close();
}

/** Records a MediaStream as consecutive standalone segments of `segmentSeconds`. */
export class SegmentRecorder {
  private current: MediaRecorder | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private nextSeq = 0;
  private origin = 0;
  private currentStartedAt = 0;
  private stopped = false;
  /** Hands segments over one at a time, in recording order, whatever order the recorders stop in. */
  private handover: Promise<void> = Promise.resolve();
  /** Recorders that stopped without any media (CPU-starved); they get no sequence number. */
  emptySegments = 0;

  constructor(
    private readonly stream: MediaStream,
    private readonly segmentSeconds: number,
    private readonly limits: CaptureLimits,
    private readonly onSegment: (seg: RecordedSegment) => void | Promise<void>,
    private readonly mime: string = pickMimeType(),
  ) {}

  /** Start recording; segment times are measured from this call. */
  start(): void {
    this.origin = performance.now();
    this.rotate();
  }

  /** Seconds since `start`. */
  elapsed(): number {
    return this.origin ? (performance.now() - this.origin) / 1000 : 0;
  }

  /** Stop recording; resolves after the last (partial) segment has been handed over. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    const ran = performance.now() - this.currentStartedAt;
    if (this.current && ran < MIN_LAST_SEGMENT_MS) await new Promise((r) => setTimeout(r, MIN_LAST_SEGMENT_MS - ran));
    this.current?.stop();
    this.current = null;
    await this.handover;
  }

  private rotate(): void {
    if (this.stopped) return;
    const previous = this.current;
    this.current = this.begin();
    previous?.stop();
    this.timer = setTimeout(() => this.rotate(), this.segmentSeconds * 1000);
  }

  private begin(): MediaRecorder {
    const rec = new MediaRecorder(this.stream, {
      mimeType: this.mime,
      videoBitsPerSecond: this.limits.videoBitsPerSecond,
      audioBitsPerSecond: this.limits.audioBitsPerSecond,
    });
    const chunks: Blob[] = [];
    const startedAt = performance.now();
    this.currentStartedAt = startedAt;
    rec.ondataavailable = (e) => {
      if (e.data.size) chunks.push(e.data);
    };
    const recorded = new Promise<{ data: ArrayBuffer; end: number }>((resolve) => {
      rec.onstop = () => {
        const end = performance.now();
        void new Blob(chunks, { type: 'video/webm' }).arrayBuffer().then((data) => resolve({ data, end }));
      };
    });
    this.handover = this.handover.then(async () => {
      const { data, end } = await recorded;
      const wallSeconds = (end - startedAt) / 1000;
      const duration = segmentDuration(new Uint8Array(data), wallSeconds);
      if (duration === null) {
        this.emptySegments += 1;
        console.warn(`Clippy: a ${wallSeconds.toFixed(1)} s recorder produced no media (${data.byteLength} B); skipped`);
        return;
      }
      try {
        await this.onSegment({ seq: this.nextSeq++, start: (startedAt - this.origin) / 1000, duration, mime: 'video/webm', data });
      } catch (e) {
        // One failed handover (IndexedDB full, say) must not stop the segments after it.
        console.error(`Clippy: could not keep a recorded segment: ${String(e)}`);
      }
    });
    rec.start();
    return rec;
  }
}

/**
 * The offscreen document: the only extension context that may hold a MediaStream. It records
 * the tab, uploads segments, receives region and chat updates from the content script and
 * makes local clips with FFmpeg.wasm.
 */
import type { LocalClipResult, Message, OffscreenStart, RecordingStats } from '../shared/messages';
import { toFrameRegion } from '../shared/region';
import { SegmentRing } from '../shared/ringbuffer';
import { keepTabAudible, openTabStream, SegmentRecorder } from './recorder';
import { makeLocalClip } from './localclip';
import { Uploader } from './uploader';

interface Recording {
  streamId: string;
  stream: MediaStream;
  recorder: SegmentRecorder;
  uploader: Uploader;
  stopAudio: () => void;
  startWallMs: number;
  stopping: boolean;
}

let current: Recording | null = null;
let lastStreamId: string | null = null;
let lastUploader: Uploader | null = null;
let lastRecorder: SegmentRecorder | null = null;
let lastElapsed = 0;
const ringPromise = SegmentRing.open();

async function startRecording(cfg: OffscreenStart): Promise<void> {
  if (current) throw new Error('Already recording; stop the current recording first');
  const ring = await ringPromise;
  await ring.dropStreamsExcept(cfg.start.stream_id);
  const stream = await openTabStream(cfg.mediaStreamId, cfg.limits);
  const streamId = cfg.start.stream_id;
  const uploader = new Uploader(cfg.wsUrl, streamId, { ...cfg.start }, ring, {
    getToken: async (fresh) => {
      const token = (await chrome.runtime.sendMessage({ kind: 'get-token', fresh } satisfies Message)) as string;
      if (!token) throw new Error('not signed in: sign in again in the Clippy options');
      return token;
    },
    onClip: (clip) => void chrome.runtime.sendMessage({ kind: 'clip-created', clip } satisfies Message),
    onFinished: () => void chrome.runtime.sendMessage({ kind: 'recording-finished', streamId } satisfies Message),
  });
  const recorder = new SegmentRecorder(stream, cfg.start.segment_seconds, cfg.limits, (seg) => uploader.addSegment(seg));
  current = { streamId, stream, recorder, uploader, stopAudio: keepTabAudible(stream), startWallMs: Date.now(), stopping: false };
  lastStreamId = streamId;
  lastUploader = uploader;
  lastRecorder = recorder;
  // A tab that closes or navigates away ends its capture track: finish the recording then.
  stream.getVideoTracks()[0]?.addEventListener('ended', () => void stopRecording());
  uploader.begin();
  recorder.start();
}

async function stopRecording(): Promise<void> {
  const rec = current;
  if (!rec || rec.stopping) return;
  rec.stopping = true;
  lastElapsed = rec.recorder.elapsed();
  await rec.recorder.stop();
  rec.stopAudio();
  for (const t of rec.stream.getTracks()) t.stop();
  rec.uploader.stop();
  current = null;
}

function stats(): RecordingStats {
  const up = current?.uploader ?? lastUploader;
  return {
    recording: current !== null,
    streamId: current?.streamId ?? lastStreamId,
    serverStreamId: up?.session.serverStreamId ?? null,
    connection: up?.session.state ?? 'idle',
    recordingSeconds: current && !current.stopping ? current.recorder.elapsed() : lastElapsed,
    segmentsRecorded: up?.segmentsRecorded ?? 0,
    segmentsSent: up?.segmentsSent ?? 0,
    segmentsAcked: up?.session.acked.size ?? 0,
    segmentsLost: up?.segmentsLost ?? 0,
    segmentsEmpty: lastRecorder?.emptySegments ?? 0,
    bytesSent: up?.bytesSent ?? 0,
    uploadRate: up?.uploadRate() ?? 0,
    lagSeconds: up?.lagSeconds() ?? 0,
    lastError: up?.session.lastError ?? null,
    region: up?.region ?? null,
    chatLinesSent: up?.chatLinesSent ?? 0,
  };
}

async function clipLocal(seconds: number, streamId: string | null): Promise<LocalClipResult> {
  const id = streamId ?? lastStreamId;
  if (!id) throw new Error('Nothing recorded yet: start a recording before clipping');
  const ring = await ringPromise;
  const t0 = performance.now();
  const { mp4 } = await makeLocalClip(ring, id, seconds);
  const elapsedMs = Math.round(performance.now() - t0);
  const data = mp4.slice().buffer;
  const clipId = await ring.addLocalClip({ streamId: id, seconds, createdAt: Date.now(), elapsedMs, data });
  return { id: clipId, bytes: data.byteLength, seconds, elapsedMs };
}

function onRegion(msg: Extract<Message, { kind: 'page-region' }>): void {
  if (!current || !msg.rect) return;
  const settings = current.stream.getVideoTracks()[0]?.getSettings();
  if (!settings?.width || !settings.height) return;
  current.uploader.setRegion(toFrameRegion(msg.rect, msg.viewportWidth, msg.viewportHeight, settings.width, settings.height));
}

function onChat(msg: Extract<Message, { kind: 'page-chat' }>): void {
  if (!current) return;
  const time = Math.max(0, (msg.wallTimeMs - current.startWallMs) / 1000);
  current.uploader.sendChat(msg.lines.map((l) => ({ author: l.author, text: l.text, time, ...(l.badges ? { badges: l.badges } : {}) })));
}

/** Reply with `{ok, value}` or `{ok: false, error}` so callers can show the reason. */
function reply<T>(work: Promise<T>, sendResponse: (r: unknown) => void): true {
  work.then(
    (value) => sendResponse({ ok: true, value }),
    (e: unknown) => sendResponse({ ok: false, error: e instanceof Error ? e.message : String(e) }),
  );
  return true;
}

chrome.runtime.onMessage.addListener((msg: Message, _sender, sendResponse) => {
  switch (msg.kind) {
    case 'offscreen-start':
      return reply(startRecording(msg.config), sendResponse);
    case 'offscreen-stop':
      return reply(stopRecording(), sendResponse);
    case 'offscreen-clip-local':
      return reply(clipLocal(msg.seconds, msg.streamId), sendResponse);
    case 'get-stats':
      sendResponse(stats());
      return false;
    case 'page-region':
      onRegion(msg);
      return false;
    case 'page-chat':
      onChat(msg);
      return false;
    default:
      return false;
  }
});

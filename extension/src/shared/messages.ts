/** Messages between the extension's contexts (service worker, offscreen document, popup, content script). */
import type { ChatLine, ClipInfo, StartMessage, VideoRegion } from './protocol';
import type { CaptureLimits } from './settings';
import type { PageChatLine } from './chat';
import type { Rect } from './region';
import type { ConnectionState } from './session';

export interface RecordingStats {
  recording: boolean;
  streamId: string | null;
  serverStreamId: number | null;
  connection: ConnectionState;
  recordingSeconds: number;
  segmentsRecorded: number;
  segmentsSent: number;
  segmentsAcked: number;
  segmentsLost: number;
  /** Recorders that produced no media (the machine was too busy) and were skipped. */
  segmentsEmpty: number;
  bytesSent: number;
  /** Upload rate over the last 10 s, bytes per second. */
  uploadRate: number;
  /** Seconds of recorded media the server has not acknowledged yet. */
  lagSeconds: number;
  lastError: string | null;
  region: VideoRegion | null;
  chatLinesSent: number;
}

export interface OffscreenStart {
  mediaStreamId: string;
  wsUrl: string;
  start: StartMessage;
  limits: CaptureLimits;
}

export interface LocalClipResult {
  id: number;
  bytes: number;
  seconds: number;
  elapsedMs: number;
}

export type Message =
  // popup / context menu → service worker
  | { kind: 'start-recording'; tabId: number }
  | { kind: 'stop-recording' }
  | { kind: 'clip-local'; seconds: number }
  // service worker → offscreen
  | { kind: 'offscreen-start'; config: OffscreenStart }
  | { kind: 'offscreen-stop' }
  | { kind: 'offscreen-clip-local'; seconds: number; streamId: string | null }
  // anyone → offscreen
  | { kind: 'get-stats' }
  // offscreen → service worker
  | { kind: 'get-token'; fresh: boolean }
  | { kind: 'clip-created'; clip: ClipInfo }
  | { kind: 'recording-finished'; streamId: string }
  // content script → offscreen
  | { kind: 'page-region'; rect: Rect | null; viewportWidth: number; viewportHeight: number }
  | { kind: 'page-chat'; lines: PageChatLine[]; wallTimeMs: number };

export type { ChatLine };

/** Send a message to the other extension contexts and wait for the first answer. */
export function send<T = unknown>(msg: Message): Promise<T> {
  return chrome.runtime.sendMessage(msg) as Promise<T>;
}

/**
 * The I/O shell around `UploadSession`: owns the WebSocket, the reconnect timer and the ring
 * buffer, and executes the session's actions. Every segment is written to IndexedDB before it
 * is sent and marked acked only when the server says it is durably stored.
 */
import { encodeSegmentFrame, parseServerEvent, ProtocolError, type ChatLine, type ClipInfo, type ClientMessage, type StartMessage, type VideoRegion } from '../shared/protocol';
import type { SegmentRing } from '../shared/ringbuffer';
import { UploadSession, type Action } from '../shared/session';
import type { RecordedSegment } from './recorder';

/** How much recorded media the ring keeps (and so the longest outage that loses nothing). */
export const RING_WINDOW_SECONDS = 300;
const RATE_WINDOW_MS = 10_000;

export interface UploaderHooks {
  /** A credential for `hello`; `fresh` asks for a refreshed one after an `unauthorized` close. */
  getToken(fresh: boolean): Promise<string>;
  onClip(clip: ClipInfo): void;
  onFinished(): void;
}

export class Uploader {
  readonly session: UploadSession;
  private ws: WebSocket | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private finished = false;
  private readonly durations = new Map<number, number>();
  private readonly sentLog: Array<[number, number]> = [];
  segmentsRecorded = 0;
  segmentsSent = 0;
  segmentsLost = 0;
  bytesSent = 0;
  chatLinesSent = 0;
  region: VideoRegion | null = null;

  constructor(
    private readonly wsUrl: string,
    private readonly streamId: string,
    start: StartMessage,
    private readonly ring: SegmentRing,
    private readonly hooks: UploaderHooks,
  ) {
    this.session = new UploadSession({ token: '', start });
  }

  begin(): void {
    void this.run(this.session.begin());
  }

  /** Store a recorded segment in the ring, then let the session send it. */
  async addSegment(seg: RecordedSegment): Promise<void> {
    await this.ring.put({ streamId: this.streamId, ...seg, size: seg.data.byteLength, acked: false, storedAt: Date.now() });
    this.segmentsRecorded += 1;
    this.durations.set(seg.seq, seg.duration);
    await this.run(this.session.segmentStored(seg.seq));
    const evicted = await this.ring.evict(this.streamId, RING_WINDOW_SECONDS);
    this.segmentsLost += evicted.lostUnacked.length;
    if (evicted.drop.length) await this.run(this.session.segmentsEvicted(evicted.drop));
  }

  setRegion(region: VideoRegion): void {
    this.region = region;
    void this.run(this.session.regionChanged(region));
  }

  /** Send chat lines now when connected, else after the reconnect (see `UploadSession.chat`). */
  sendChat(lines: ChatLine[]): void {
    void this.run(this.session.chat(lines));
  }

  stop(): void {
    void this.run(this.session.stop());
  }

  /** Close without waiting for acknowledgements (the extension is shutting down). */
  abandon(): void {
    void this.run(this.session.abandon());
  }

  /** Upload rate over the last 10 seconds in bytes per second. */
  uploadRate(now = performance.now()): number {
    while (this.sentLog.length && this.sentLog[0][0] < now - RATE_WINDOW_MS) this.sentLog.shift();
    return this.sentLog.reduce((sum, [, n]) => sum + n, 0) / (RATE_WINDOW_MS / 1000);
  }

  /** Seconds of recorded media not yet acknowledged by the server. */
  lagSeconds(): number {
    let s = 0;
    for (const seq of this.session.held) s += this.durations.get(seq) ?? 0;
    return s;
  }

  private async run(actions: Action[]): Promise<void> {
    for (const a of actions) await this.execute(a);
  }

  private async execute(a: Action): Promise<void> {
    switch (a.kind) {
      case 'connect':
        await this.connect(a.freshToken);
        return;
      case 'send-json':
        if (this.send(a.message) && a.message.type === 'chat') this.chatLinesSent += a.message.lines.length;
        return;
      case 'send-segment': {
        const seg = await this.ring.get(this.streamId, a.seq);
        if (!seg) {
          // Evicted between scheduling and sending: nothing left to send.
          await this.run(this.session.segmentsEvicted([a.seq]));
          return;
        }
        const frame = encodeSegmentFrame({ seq: seg.seq, start: seg.start, duration: seg.duration, mime: seg.mime }, new Uint8Array(seg.data));
        if (this.send(frame)) {
          this.segmentsSent += 1;
          this.bytesSent += frame.byteLength;
          this.sentLog.push([performance.now(), frame.byteLength]);
        }
        return;
      }
      case 'acked':
        await this.ring.markAcked(this.streamId, a.seqs);
        return;
      case 'reconnect-after':
        this.timer = setTimeout(() => void this.run(this.session.retry()), a.delayMs);
        return;
      case 'clip':
        this.hooks.onClip(a.clip);
        return;
      case 'refused':
        console.warn(`Clippy server refused ${a.seq === null ? 'the connection' : `segment ${a.seq}`}: ${a.code}: ${a.message}`);
        return;
      case 'close':
        this.ws?.close(1000, 'done');
        return;
      case 'finished':
        if (this.timer) clearTimeout(this.timer);
        if (!this.finished) {
          this.finished = true;
          this.hooks.onFinished();
        }
        return;
    }
  }

  private send(payload: ClientMessage | ArrayBuffer): boolean {
    if (!this.ws || this.ws.readyState !== WebSocket.OPEN) return false;
    this.ws.send(payload instanceof ArrayBuffer ? payload : JSON.stringify(payload));
    return true;
  }

  private async connect(freshToken: boolean): Promise<void> {
    let token: string;
    try {
      token = await this.hooks.getToken(freshToken);
    } catch (e) {
      this.session.lastError = String(e);
      await this.run(this.session.closed(1006, `no credential: ${String(e)}`));
      return;
    }
    const ws = new WebSocket(this.wsUrl);
    ws.binaryType = 'arraybuffer';
    this.ws = ws;
    ws.onopen = () => void this.run(this.session.opened(token));
    ws.onmessage = (e) => {
      if (typeof e.data !== 'string') return;
      try {
        void this.run(this.session.received(parseServerEvent(e.data)));
      } catch (err) {
        if (err instanceof ProtocolError) console.warn(err.message);
        else throw err;
      }
    };
    ws.onclose = (e) => {
      if (this.ws !== ws) return;
      this.ws = null;
      void this.run(this.session.closed(e.code, e.reason));
    };
  }
}

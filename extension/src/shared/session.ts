/**
 * The upload session as a sans-I/O state machine: it decides what to send, when to resend and
 * when to reconnect; the caller (offscreen/uploader.ts) owns the WebSocket, the timers and the
 * ring buffer and executes the returned actions. Keeping the decisions pure makes the resend
 * logic testable without a browser or a server.
 */
import {
  CLIENT_NAME,
  PROTOCOL_VERSION,
  runsToSet,
  type ChatLine,
  type ClientMessage,
  type ClipInfo,
  type ServerEvent,
  type StartMessage,
} from './protocol';

export type ConnectionState = 'idle' | 'connecting' | 'authenticating' | 'starting' | 'streaming' | 'waiting' | 'stopping' | 'stopped' | 'failed';

export type Action =
  | { kind: 'connect'; freshToken: boolean }
  | { kind: 'send-json'; message: ClientMessage }
  | { kind: 'send-segment'; seq: number }
  | { kind: 'acked'; seqs: number[] }
  | { kind: 'reconnect-after'; delayMs: number }
  | { kind: 'clip'; clip: ClipInfo }
  | { kind: 'refused'; seq: number | null; code: string; message: string }
  | { kind: 'close' }
  | { kind: 'finished' };

/**
 * Chat lines read during an outage wait for the reconnect, up to this many (the oldest go
 * first): a few minutes of a busy chat, and a bound on memory for a long outage.
 */
export const MAX_PENDING_CHAT_LINES = 1000;

/** Close code the server uses for a bad or expired credential. */
export const CLOSE_UNAUTHORIZED = 4401;

/** Exponential backoff with jitter: 0.5 s, 1 s, 2 s … capped at `maxMs`. */
export function backoffDelay(attempt: number, random: () => number = Math.random, baseMs = 500, maxMs = 8000): number {
  const exp = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt));
  return Math.round(exp * (0.75 + 0.5 * random()));
}

/** Segments held locally that the server does not have, in the order to (re)send them. */
export function seqsToResend(held: Iterable<number>, acked: Set<number>): number[] {
  return [...held].filter((s) => !acked.has(s)).sort((a, b) => a - b);
}

export interface SessionOptions {
  token: string;
  start: StartMessage;
  /** Segments sent but not yet acknowledged at once; bounds memory in the socket buffer. */
  maxInFlight?: number;
  random?: () => number;
}

/** One recorded stream's upload state across any number of reconnects. */
export class UploadSession {
  state: ConnectionState = 'idle';
  readonly acked = new Set<number>();
  readonly held = new Set<number>();
  readonly inFlight = new Set<number>();
  serverStreamId: number | null = null;
  attempt = 0;
  lastError: string | null = null;
  private token: string;
  private start: StartMessage;
  private readonly maxInFlight: number;
  private readonly random: () => number;

  constructor(opts: SessionOptions) {
    this.token = opts.token;
    this.start = opts.start;
    this.maxInFlight = opts.maxInFlight ?? 3;
    this.random = opts.random ?? Math.random;
  }

  /** Begin (the first connection). */
  begin(): Action[] {
    this.state = 'connecting';
    return [{ kind: 'connect', freshToken: false }];
  }

  /** The socket opened; `token` is the credential to authenticate with now. */
  opened(token: string): Action[] {
    this.token = token;
    this.state = 'authenticating';
    return [{ kind: 'send-json', message: { type: 'hello', protocol: PROTOCOL_VERSION, token: this.token, client: CLIENT_NAME } }];
  }

  /** A segment was recorded and stored locally. */
  segmentStored(seq: number): Action[] {
    this.held.add(seq);
    return this.pump();
  }

  /** Segments dropped from the local ring (too old); they can no longer be sent. */
  segmentsEvicted(seqs: number[]): Action[] {
    for (const s of seqs) {
      this.held.delete(s);
      this.inFlight.delete(s);
    }
    return this.pump();
  }

  /** The page's region changed; it goes with the next `start` and, when connected, now. */
  regionChanged(region: NonNullable<StartMessage['video_region']>): Action[] {
    this.start = { ...this.start, video_region: region };
    return this.state === 'streaming' ? [{ kind: 'send-json', message: { type: 'region', video_region: region } }] : [];
  }

  /**
   * Chat lines read from the page: sent now when streaming, else kept for the next `started`.
   * Lines already on the wire when a connection drops are not resent (the server's `chat_ack`
   * names no lines, so a resend could duplicate them); chat is context, not the recording.
   */
  chat(lines: ChatLine[]): Action[] {
    if (!lines.length) return [];
    if (this.state === 'streaming') return [{ kind: 'send-json', message: { type: 'chat', lines } }];
    this.pendingChat.push(...lines);
    const excess = this.pendingChat.length - MAX_PENDING_CHAT_LINES;
    if (excess > 0) this.pendingChat.splice(0, excess);
    return [];
  }

  /** Handle one server event. */
  received(ev: ServerEvent): Action[] {
    switch (ev.type) {
      case 'welcome':
        this.state = 'starting';
        return [{ kind: 'send-json', message: this.start }];
      case 'started': {
        this.state = 'streaming';
        this.attempt = 0;
        this.serverStreamId = ev.stream_id;
        const serverHas = runsToSet(ev.acked);
        const newlyAcked = [...this.held].filter((s) => serverHas.has(s));
        for (const s of serverHas) this.acked.add(s);
        for (const s of newlyAcked) this.held.delete(s);
        this.inFlight.clear();
        const actions: Action[] = newlyAcked.length ? [{ kind: 'acked', seqs: newlyAcked }] : [];
        if (this.pendingChat.length) {
          actions.push({ kind: 'send-json', message: { type: 'chat', lines: this.pendingChat } });
          this.pendingChat = [];
        }
        return [...actions, ...this.pump()];
      }
      case 'ack': {
        this.acked.add(ev.seq);
        this.held.delete(ev.seq);
        this.inFlight.delete(ev.seq);
        return [{ kind: 'acked', seqs: [ev.seq] }, ...this.pump()];
      }
      case 'error':
        return this.refused(ev);
      case 'clip_created':
        return [{ kind: 'clip', clip: ev.clip }];
      case 'stopped':
        this.state = 'stopped';
        return [{ kind: 'close' }, { kind: 'finished' }];
      default:
        return [];
    }
  }

  /** The socket closed (or failed to open) with a WebSocket close code. */
  closed(code: number, reason = ''): Action[] {
    this.inFlight.clear();
    if (this.state === 'stopped' || this.state === 'failed') return [];
    if (reason) this.lastError = reason;
    if (this.wantStop && this.held.size === 0) {
      this.state = 'stopped';
      return [{ kind: 'finished' }];
    }
    this.state = 'waiting';
    const delayMs = backoffDelay(this.attempt, this.random);
    this.attempt += 1;
    this.freshTokenNext = code === CLOSE_UNAUTHORIZED;
    return [{ kind: 'reconnect-after', delayMs }];
  }

  /** The backoff timer fired. */
  retry(): Action[] {
    if (this.state !== 'waiting') return [];
    this.state = 'connecting';
    return [{ kind: 'connect', freshToken: this.freshTokenNext }];
  }

  /** The user stopped recording: finish uploading what is held, then end the stream. */
  stop(): Action[] {
    this.wantStop = true;
    return this.pump();
  }

  /** Give up now (e.g. the recording tab closed and nothing can be resent): close the socket. */
  abandon(): Action[] {
    this.state = 'stopped';
    return [{ kind: 'close' }, { kind: 'finished' }];
  }

  private wantStop = false;
  private freshTokenNext = false;
  private pendingChat: ChatLine[] = [];

  private refused(ev: Extract<ServerEvent, { type: 'error' }>): Action[] {
    this.lastError = `${ev.code}: ${ev.message}`;
    if (ev.fatal) {
      // An expired access token is refreshed and retried by the reconnect path; any other fatal
      // refusal (wrong protocol) cannot be fixed by retrying.
      if (ev.code !== 'unauthorized') this.state = 'failed';
      return [{ kind: 'refused', seq: null, code: ev.code, message: ev.message }];
    }
    const seq = typeof ev.seq === 'number' ? ev.seq : null;
    if (seq !== null) {
      // The server will never accept this segment (invalid or over quota): stop holding it so
      // the stream goes on, as the protocol says.
      this.held.delete(seq);
      this.inFlight.delete(seq);
    }
    return [{ kind: 'refused', seq, code: ev.code, message: ev.message }, ...this.pump()];
  }

  /** Send the next unacknowledged segments, oldest first, within the in-flight window. */
  private pump(): Action[] {
    if (this.state !== 'streaming') return [];
    const actions: Action[] = [];
    for (const seq of seqsToResend(this.held, this.acked)) {
      if (this.inFlight.size >= this.maxInFlight) break;
      if (this.inFlight.has(seq)) continue;
      this.inFlight.add(seq);
      actions.push({ kind: 'send-segment', seq });
    }
    if (this.wantStop && this.held.size === 0) {
      this.state = 'stopping';
      actions.push({ kind: 'send-json', message: { type: 'stop' } });
    }
    return actions;
  }
}

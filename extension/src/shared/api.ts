/** The Clippy REST API as the extension uses it: sign-in, token refresh, clips and usage. */
import type { LanguageSupport } from './languages';

export interface Tokens {
  access_token: string;
  refresh_token: string;
}

export interface ClipSummary {
  id: number;
  stream_id: number;
  title: string;
  reason: string;
  score: number;
  status: string;
  duration: number;
  created_at: string;
  file_url: string | null;
  thumbnail_url: string | null;
}

/** A pairing request: the dashboard page to open, and the secret to poll it with. */
export interface Pairing {
  code: string;
  claim_token: string;
  connect_url: string;
  expires_in: number;
}

export interface Claim {
  status: 'pending' | 'connected';
  credential: string;
  email: string;
}

export interface Me {
  user: { id: number; email: string; plan: string };
  /** `null` limits are unlimited. */
  plan: { name: string; recording_hours_per_day: number | null; clips_per_day: number | null; max_export_height: number };
  usage_today: { day: string; recording_seconds: number; clips: number; exports: number };
}

/**
 * The server answered with an error status (0: it could not be reached); `status` 401 means the
 * credential is not valid. `detail` is the server's own explanation, fit to show a user.
 */
export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly status: number,
    message: string,
    readonly detail: string = message,
  ) {
    super(message);
  }
}

/** Seconds since the epoch at which a JWT expires, or null when it is not a JWT with `exp`. */
export function jwtExpiry(token: string): number | null {
  const parts = token.split('.');
  if (parts.length !== 3) return null;
  try {
    const payload = JSON.parse(atob(parts[1].replace(/-/g, '+').replace(/_/g, '/'))) as { exp?: unknown };
    return typeof payload.exp === 'number' ? payload.exp : null;
  } catch {
    return null;
  }
}

/** Whether an access token should be refreshed before use (expired or about to). */
export function needsRefresh(token: string, nowSeconds: number, marginSeconds = 60): boolean {
  if (!token) return true;
  const exp = jwtExpiry(token);
  return exp !== null && exp - marginSeconds <= nowSeconds;
}

/** Thin typed wrapper over `fetch` for one server. */
export class ClippyApi {
  constructor(
    readonly serverUrl: string,
    private readonly fetcher: typeof fetch = (...a) => fetch(...a),
  ) {}

  /** Exchange email and password for tokens. */
  login(email: string, password: string): Promise<Tokens> {
    return this.call<Tokens>('POST', '/api/v1/auth/login', null, { email, password });
  }

  /** A new access token (and rotated refresh token) from a refresh token. */
  refresh(refreshToken: string): Promise<Tokens> {
    return this.call<Tokens>('POST', '/api/v1/auth/refresh', null, { refresh_token: refreshToken });
  }

  /** Ask to connect this browser; the user approves it at `connect_url`. */
  startPairing(name: string): Promise<Pairing> {
    return this.call<Pairing>('POST', '/api/v1/browsers/pairings', null, { name });
  }

  /** Poll a pairing: `pending` until approved, then (once) the browser's credential. */
  claimPairing(claimToken: string): Promise<Claim> {
    return this.call<Claim>('POST', '/api/v1/browsers/pairings/claim', null, { claim_token: claimToken });
  }

  me(token: string): Promise<Me> {
    return this.call<Me>('GET', '/api/v1/auth/me', token);
  }

  /** The languages the server's speech model recognises, and the account's choice. */
  languages(token: string): Promise<LanguageSupport> {
    return this.call<LanguageSupport>('GET', '/api/v1/languages', token);
  }

  clips(token: string, limit = 10): Promise<ClipSummary[]> {
    return this.call<ClipSummary[]>('GET', `/api/v1/clips?limit=${limit}`, token);
  }

  /** An absolute URL for a server-relative one (signed media URLs are relative). */
  absolute(path: string): string {
    return new URL(path, this.serverUrl + '/').toString();
  }

  private async call<T>(method: string, path: string, token: string | null, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (token) headers.Authorization = `Bearer ${token}`;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    let resp: Response;
    try {
      resp = await this.fetcher(this.absolute(path), { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    } catch (e) {
      throw new ApiError(0, `Cannot reach ${this.serverUrl} (${String(e)}); check the server URL in the options`);
    }
    if (!resp.ok) {
      let detail = resp.statusText;
      try {
        const data = (await resp.json()) as { detail?: unknown };
        if (data.detail) detail = typeof data.detail === 'string' ? data.detail : JSON.stringify(data.detail);
      } catch {
        /* not JSON: keep the status text */
      }
      throw new ApiError(resp.status, `${method} ${path} failed with ${resp.status}: ${detail}`, detail);
    }
    return (await resp.json()) as T;
  }
}

import { describe, expect, it } from 'vitest';
import { ApiError, ClippyApi, jwtExpiry, needsRefresh } from '../src/shared/api';
import { captureLimits, clampSegmentSeconds, ingestUrl, normalizeServerUrl, SettingsError, withDefaults } from '../src/shared/settings';

function jwt(payload: object): string {
  const b64 = (o: object) => btoa(JSON.stringify(o)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  return `${b64({ alg: 'HS256' })}.${b64(payload)}.sig`;
}

describe('settings rules', () => {
  it('normalizes server URLs and derives the ingest socket URL', () => {
    expect(normalizeServerUrl(' https://clippy.example.com/ ')).toBe('https://clippy.example.com');
    expect(ingestUrl('https://clippy.example.com/base/')).toBe('wss://clippy.example.com/base/ws/ingest');
    expect(ingestUrl('http://127.0.0.1:8000')).toBe('ws://127.0.0.1:8000/ws/ingest');
    expect(() => normalizeServerUrl('clippy.example.com')).toThrow(SettingsError);
    expect(() => normalizeServerUrl('ftp://x')).toThrow(/http:\/\/ or https:\/\//);
  });

  it('caps the free plan at 720p and leaves paid plans alone', () => {
    expect(captureLimits('1080p', 'free')).toMatchObject({ maxWidth: 1280, maxHeight: 720 });
    expect(captureLimits('1080p', 'pro')).toMatchObject({ maxWidth: 1920, maxHeight: 1080 });
    expect(captureLimits('480p', null).maxHeight).toBe(480);
    expect(captureLimits('720p', 'free').videoBitsPerSecond).toBe(2_764_800);
  });

  it('clamps segment lengths and repairs stored values of the wrong type', () => {
    expect(clampSegmentSeconds(0)).toBe(2);
    expect(clampSegmentSeconds(600)).toBe(60);
    expect(clampSegmentSeconds(Number.NaN)).toBe(10);
    const s = withDefaults({ segmentSeconds: '5', chatCapture: false, quality: '4k', junk: 1 });
    expect(s.segmentSeconds).toBe(10);
    expect(s.chatCapture).toBe(false);
    expect(s.quality).toBe('720p');
    expect('junk' in s).toBe(false);
  });
});

describe('tokens', () => {
  it('reads a JWT expiry and refreshes a minute early', () => {
    const token = jwt({ sub: '1', exp: 1000 });
    expect(jwtExpiry(token)).toBe(1000);
    expect(needsRefresh(token, 900)).toBe(false);
    expect(needsRefresh(token, 941)).toBe(true);
    expect(needsRefresh('', 0)).toBe(true);
    expect(jwtExpiry('clp_notajwt')).toBeNull();
    expect(needsRefresh('clp_notajwt', 1e12)).toBe(false); // API keys do not expire this way
  });
});

describe('ClippyApi', () => {
  it('sends JSON with the bearer token and resolves relative media URLs', async () => {
    const calls: Array<[string, RequestInit | undefined]> = [];
    const api = new ClippyApi('http://srv:8000', async (url, init) => {
      calls.push([String(url), init]);
      return new Response(JSON.stringify([]), { status: 200 });
    });
    await api.clips('tok', 5);
    expect(calls[0][0]).toBe('http://srv:8000/api/v1/clips?limit=5');
    expect((calls[0][1]?.headers as Record<string, string>).Authorization).toBe('Bearer tok');
    expect(api.absolute('/api/v1/clips/5/thumbnail?sig=x')).toBe('http://srv:8000/api/v1/clips/5/thumbnail?sig=x');
  });

  it('turns error responses into ApiError with the server detail', async () => {
    const api = new ClippyApi('http://srv', async () => new Response(JSON.stringify({ detail: 'wrong password' }), { status: 401 }));
    await expect(api.login('a@b.c', 'x')).rejects.toMatchObject({ status: 401, message: expect.stringContaining('wrong password'), detail: 'wrong password' });
    const down = new ClippyApi('http://srv', async () => {
      throw new TypeError('fetch failed');
    });
    await expect(down.me('t')).rejects.toBeInstanceOf(ApiError);
  });
});

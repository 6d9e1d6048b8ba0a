import { beforeEach, describe, expect, it } from 'vitest';
import { ClippyApi } from '../src/shared/api';
import { AUTO, languageChoices, languageRefusal, startLanguage, type LanguageSupport } from '../src/shared/languages';
import { loadSettings, saveSettings, withDefaults } from '../src/shared/settings';

// What GET /api/v1/languages answers for the two bundled models (tests/web/test_languages.py
// checks the server side of the same shapes).
const TINY_EN: LanguageSupport = {
  model: 'Whisper tiny.en',
  multilingual: false,
  auto_detect: false,
  default: 'en',
  languages: [{ code: 'en', name: 'English' }],
  account_language: null,
};
const BASE: LanguageSupport = {
  model: 'Whisper base',
  multilingual: true,
  auto_detect: true,
  default: AUTO,
  languages: [
    { code: 'en', name: 'English' },
    { code: 'de', name: 'German' },
    { code: 'es', name: 'Spanish' },
  ],
  account_language: 'de',
};

/** chrome.storage.local as the browser keeps it: values survive a structured clone. */
function installStorage(): Map<string, unknown> {
  const data = new Map<string, unknown>();
  const local = {
    async get(keys: string[]): Promise<Record<string, unknown>> {
      const out: Record<string, unknown> = {};
      for (const k of keys) if (data.has(k)) out[k] = structuredClone(data.get(k));
      return out;
    },
    async set(items: Record<string, unknown>): Promise<void> {
      for (const [k, v] of Object.entries(items)) data.set(k, structuredClone(v));
    },
  };
  (globalThis as unknown as { chrome: unknown }).chrome = { storage: { local } };
  return data;
}

describe('language choices', () => {
  it('offers only English (and the account choice) on an English-only server', () => {
    expect(languageChoices(TINY_EN, '').map((l) => l.code)).toEqual(['', 'en']);
    expect(languageChoices(TINY_EN, '')[0].name).toBe('As my account (English)');
    // A German choice kept from a multilingual server stays visible, marked.
    const stale = languageChoices(TINY_EN, 'de');
    expect(stale.map((l) => l.code)).toEqual(['', 'en', 'de']);
    expect(stale[2].name).toBe('German (not recognised by this server)');
  });

  it('offers auto-detect and every language on a multilingual server', () => {
    const codes = languageChoices(BASE, '').map((l) => l.code);
    expect(codes).toEqual(['', AUTO, 'en', 'de', 'es']);
    expect(languageChoices(BASE, '')[0].name).toBe('As my account (German)');
  });

  it('offers nothing it cannot vouch for while the server is unknown', () => {
    expect(languageChoices(null, '').map((l) => l.code)).toEqual(['']);
    expect(languageChoices(null, 'de').map((l) => l.code)).toEqual(['', 'de']);
  });

  it('refuses German on tiny.en with a message pointing to base', () => {
    const why = languageRefusal('de', TINY_EN);
    expect(why).toContain('understands English only');
    expect(why).toContain('German');
    expect(why).toContain('CLIPPY_WHISPER_MODEL=base');
    expect(languageRefusal('en', TINY_EN)).toBe('');
    expect(languageRefusal('', TINY_EN)).toBe('');
    expect(languageRefusal(AUTO, TINY_EN)).toBe('');
    expect(languageRefusal('de', BASE)).toBe('');
    expect(languageRefusal('xx', BASE)).toContain('does not know');
  });

  it('sends the language in start only when the stream has its own', () => {
    expect(startLanguage('')).toEqual({});
    expect(startLanguage('de')).toEqual({ language: 'de' });
  });
});

describe('options round-trip', () => {
  let data: Map<string, unknown>;
  beforeEach(() => {
    data = installStorage();
  });

  it('keeps the chosen language through save and load', async () => {
    expect((await loadSettings()).language).toBe('');
    await saveSettings({ language: 'es', segmentSeconds: 5 });
    const s = await loadSettings();
    expect(s.language).toBe('es');
    expect(s.segmentSeconds).toBe(5);
    expect(data.get('language')).toBe('es');
    // A stored value of the wrong type falls back to the account's choice.
    expect(withDefaults({ language: 7 }).language).toBe('');
  });

  it('reads the languages from the server with the credential', async () => {
    const seen: string[] = [];
    const api = new ClippyApi('http://srv:8000', async (url, init) => {
      seen.push(`${String(url)} ${(init?.headers as Record<string, string>).Authorization}`);
      return new Response(JSON.stringify(BASE), { status: 200 });
    });
    expect(await api.languages('clb_key')).toEqual(BASE);
    expect(seen).toEqual(['http://srv:8000/api/v1/languages Bearer clb_key']);
  });
});

/** Credentials for the server: an API key, or access tokens refreshed before they expire. */
import { ClippyApi, needsRefresh } from '../shared/api';
import { loadSettings, saveSettings, type Settings } from '../shared/settings';

/** No usable credential; the user has to sign in again in the options page. */
export class SignInRequired extends Error {
  override name = 'SignInRequired';
}

export function hasCredential(s: Settings): boolean {
  return Boolean(s.apiKey || s.browserKey || s.refreshToken || s.accessToken);
}

let refreshing: Promise<string> | null = null;

/**
 * A token for the server: the API key if set, else the access token, refreshed first when it
 * expires within a minute (or always when `fresh`, after the server refused it).
 */
export async function getToken(fresh = false): Promise<string> {
  const s = await loadSettings();
  if (s.apiKey) return s.apiKey;
  if (s.browserKey) return s.browserKey;
  if (!fresh && s.accessToken && !needsRefresh(s.accessToken, Date.now() / 1000)) return s.accessToken;
  if (!s.refreshToken) {
    if (s.accessToken) return s.accessToken;
    throw new SignInRequired('Not connected: open the Clippy options and press Connect');
  }
  // One refresh at a time: refresh tokens rotate, so parallel refreshes would revoke each other.
  refreshing ??= new ClippyApi(s.serverUrl)
    .refresh(s.refreshToken)
    .then(async (t) => {
      await saveSettings({ accessToken: t.access_token, refreshToken: t.refresh_token });
      return t.access_token;
    })
    .finally(() => (refreshing = null));
  return refreshing;
}

/** The signed-in user's plan name, or null when unknown (offline, API key without /me). */
export async function currentPlan(s: Settings): Promise<string | null> {
  try {
    return (await new ClippyApi(s.serverUrl).me(await getToken())).user.plan;
  } catch {
    return null;
  }
}

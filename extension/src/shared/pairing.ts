/** Connecting the extension to an account through the dashboard (no password or key typed). */
import { ApiError, ClippyApi, type Claim, type Pairing } from './api';

/** A readable name for this browser in Settings → Connected browsers, from its user agent. */
export function browserName(userAgent: string): string {
  const brand = /Edg\//.test(userAgent) ? 'Edge' : /OPR\//.test(userAgent) ? 'Opera' : /Chrom(e|ium)\//.test(userAgent) ? 'Chrome' : 'Browser';
  const os = /Windows/.test(userAgent) ? 'Windows' : /Mac OS X/.test(userAgent) ? 'macOS' : /CrOS/.test(userAgent) ? 'ChromeOS' : /Linux/.test(userAgent) ? 'Linux' : '';
  return os ? `${brand} on ${os}` : brand;
}

export interface PairingHooks {
  /** Show the code and open the dashboard's approval page. */
  started(p: Pairing): void | Promise<void>;
  sleep(ms: number): Promise<void>;
  now(): number;
}

/**
 * Ask the server to pair, then poll until the user approves on the dashboard; resolves to the
 * connected claim (credential and account e-mail). Rejects with the server's reason when the
 * pairing expires or is refused.
 */
export async function pairBrowser(api: ClippyApi, name: string, hooks: PairingHooks, everyMs = 1000): Promise<Claim> {
  const pairing = await api.startPairing(name);
  await hooks.started(pairing);
  const deadline = hooks.now() + pairing.expires_in * 1000;
  while (hooks.now() < deadline) {
    await hooks.sleep(everyMs);
    let claim: Claim;
    try {
      claim = await api.claimPairing(pairing.claim_token);
    } catch (e) {
      // The server restarting or the network dropping for a moment is not a refusal.
      if (e instanceof ApiError && e.status === 0) continue;
      throw e;
    }
    if (claim.status === 'connected') return claim;
  }
  throw new Error('Nobody approved this browser in time; press Connect again');
}

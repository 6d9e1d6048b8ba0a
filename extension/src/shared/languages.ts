/**
 * The spoken language of recorded streams: what the server's speech model recognises
 * (`GET /api/v1/languages`) and the pure rules the options page and the start message use.
 */

export interface LanguageOption {
  code: string;
  name: string;
}

/** The server's answer: its model, whether it detects languages itself, and what it offers. */
export interface LanguageSupport {
  model: string;
  multilingual: boolean;
  auto_detect: boolean;
  /** The server's default: `auto` or a code. */
  default: string;
  languages: LanguageOption[];
  /** The account's own choice on the dashboard (null: the server's default). */
  account_language: string | null;
}

export const AUTO = 'auto';

function nameOf(code: string, support: LanguageSupport | null): string {
  if (code === AUTO) return 'Auto-detect';
  const offered = support?.languages.find((l) => l.code === code)?.name;
  if (offered) return offered;
  // A language the server does not offer (English-only model): the browser still knows its name.
  try {
    return new Intl.DisplayNames(['en'], { type: 'language' }).of(code) ?? code;
  } catch {
    return code;
  }
}

/**
 * What the options page offers: '' (the account's choice, named), `auto` when the model detects
 * languages, then every language the model recognises. Unknown support (offline, not signed
 * in): the account's choice and the current value only, so nothing unservable is offered.
 */
export function languageChoices(support: LanguageSupport | null, current: string): LanguageOption[] {
  const account = support ? nameOf(support.account_language ?? support.default, support) : '';
  const out: LanguageOption[] = [{ code: '', name: account ? `As my account (${account})` : 'As my account' }];
  if (support === null) {
    if (current) out.push({ code: current, name: nameOf(current, null) });
    return out;
  }
  if (support.auto_detect) out.push({ code: AUTO, name: 'Auto-detect' });
  out.push(...support.languages);
  // A choice saved before the server's model changed stays visible, so saving explains why
  // it cannot be kept instead of the picker silently showing something else.
  if (current && !out.some((l) => l.code === current)) {
    out.push({ code: current, name: `${nameOf(current, support)} (not recognised by this server)` });
  }
  return out;
}

/** Why `language` cannot be recorded with the server's model ('' when it can, or is unknown). */
export function languageRefusal(language: string, support: LanguageSupport | null): string {
  if (!language || support === null) return '';
  if (language === AUTO) return '';
  if (support.languages.some((l) => l.code === language)) return '';
  if (!support.multilingual) {
    return (
      `The server's speech model (${support.model}) understands English only, so it cannot ` +
      `recognise ${nameOf(language, support)}. Choose English, or ask the server's operator to ` +
      'set CLIPPY_WHISPER_MODEL=base for other languages.'
    );
  }
  return `The server does not know the language "${language}"; choose one from the list.`;
}

/** The `start` message's language field: none when the account's choice applies. */
export function startLanguage(language: string): { language?: string } {
  return language ? { language } : {};
}

// The locale every formatter uses: the user's preferred languages as the web
// view reports them, with POSIX leftovers ("C", "en_US.UTF-8") cleaned up.
// A bare "C" locale would otherwise print 20000 without separators.

const FALLBACK_LOCALE = "en-US";

/** The first usable BCP 47 tag among `languages`, else "en-US". */
export function preferredLocale(languages: readonly (string | null | undefined)[]): string {
  for (const language of languages) {
    if (!language) continue;
    // POSIX style: language_TERRITORY.codeset@modifier
    const tag = language.split(/[.@]/)[0]?.replace(/_/g, "-") ?? "";
    if (!tag || /^(c|posix)$/i.test(tag)) continue;
    try {
      const [canonical] = Intl.getCanonicalLocales(tag);
      if (canonical && Intl.NumberFormat.supportedLocalesOf([canonical]).length > 0) return canonical;
    } catch {
      // Not a language tag; try the next one.
    }
  }
  return FALLBACK_LOCALE;
}

function browserLanguages(): readonly string[] {
  if (typeof navigator === "undefined") return [];
  return navigator.languages?.length ? navigator.languages : [navigator.language];
}

/** The app's locale, decided once at start. */
export const APP_LOCALE: string = preferredLocale(browserLanguages());

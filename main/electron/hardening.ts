/**
 * The desktop window's security settings and decisions, as plain values and
 * functions: main.ts applies them, and the tests check them without an
 * Electron binary. Nothing here imports electron.
 *
 * The window shows only the app's own pages, served by main from a
 * privileged scheme of its own; it reaches nothing else, opens nothing else
 * and is granted nothing. Evidence is shown in it, so a page that could
 * navigate away, frame another site or ask for the camera is a leak.
 */

export const APP_SCHEME = 'app';
export const APP_HOST = 'toex';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_ENTRY = `${APP_ORIGIN}/index.html`;

/**
 * What the app scheme may do: behave like https (relative URLs, a real
 * origin, a secure context), answer fetch and stream media. CORS is left off,
 * so no other origin can read from it.
 */
export const appSchemePrivileges = {
  standard: true,
  secure: true,
  supportFetchAPI: true,
  stream: true,
} as const;

/** The window's web preferences; main.ts adds the preload script's path. */
export const webPreferences = {
  contextIsolation: true,
  sandbox: true,
  nodeIntegration: false,
  nodeIntegrationInWorker: false,
  nodeIntegrationInSubFrames: false,
  webviewTag: false,
  webSecurity: true,
  allowRunningInsecureContent: false,
  experimentalFeatures: false,
  navigateOnDragDrop: false,
  // The spellchecker would download dictionaries, and sees what is typed.
  spellcheck: false,
} as const;

/** A URL of the app's own origin: its scheme and host, with nothing in between. */
export function isAppUrl(url: string | undefined): boolean {
  if (url === undefined) return false;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  return (
    parsed.protocol === `${APP_SCHEME}:` &&
    parsed.host === APP_HOST &&
    parsed.username === '' &&
    parsed.password === ''
  );
}

/** The window may move between the app's own pages and nowhere else. */
export function allowNavigation(url: string): boolean {
  return isAppUrl(url);
}

/** `window.open` and links with a target open nothing, not even the app's own pages. */
export function windowOpenDecision(): { action: 'deny' } {
  return { action: 'deny' };
}

/**
 * The permissions the window is granted: none. Camera, microphone,
 * notifications, clipboard reading, USB, geolocation and the rest are all
 * refused; one added here must say what of the workstation needs it.
 */
const GRANTED_PERMISSIONS: ReadonlySet<string> = new Set();

export function allowPermission(permission: string): boolean {
  return GRANTED_PERMISSIONS.has(permission);
}

/**
 * The requests the window may make: its own origin, inline data (images the
 * CSP allows) and the developer tools' own pages. Everything else, the
 * network and the file system included, is cancelled before it starts.
 */
export function allowRequest(url: string): boolean {
  if (isAppUrl(url)) return true;
  return url.startsWith('data:') || url.startsWith('devtools:');
}

import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import {
  APP_ENTRY,
  APP_ORIGIN,
  allowNavigation,
  allowPermission,
  allowRequest,
  appSchemePrivileges,
  isAppUrl,
  webPreferences,
  windowOpenDecision,
} from '../../../main/electron/hardening.js';
import { CONTENT_SECURITY_POLICY } from '../../../main/web/security.js';

const root = join(import.meta.dirname, '..', '..', '..');
const source = (path: string) => readFileSync(join(root, path), 'utf8');

/** Every permission Electron 45 can ask a session about, read from its own type declarations. */
function electronPermissions(): string[] {
  const types = source('node_modules/electron/electron.d.ts');
  const handler =
    /setPermissionRequestHandler\(handler: \(\(webContents: WebContents, permission: ([^,]+),/.exec(
      types,
    );
  return [...(handler?.[1] ?? '').matchAll(/'([a-z-]+)'/gi)].map((m) => m[1]!);
}

describe('hardening', () => {
  it('turns on every isolation the window has and turns off everything that reaches Node', () => {
    expect(webPreferences).toEqual({
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
      spellcheck: false,
    });
  });

  it('gives the app scheme a secure, standard origin without letting other origins read it', () => {
    expect(appSchemePrivileges).toEqual({
      standard: true,
      secure: true,
      supportFetchAPI: true,
      stream: true,
    });
    expect(APP_ORIGIN).toBe('app://toex');
    expect(APP_ENTRY).toBe('app://toex/index.html');
  });

  it.each([
    'https://example.org/',
    'http://127.0.0.1:8080/',
    'http://localhost/',
    'file:///etc/passwd',
    'ws://127.0.0.1:9000/',
    'javascript:alert(1)',
    'data:text/html,<h1>hi</h1>',
    'about:blank',
    'devtools://devtools/bundled/inspector.html',
    'app://other/index.html',
    'app://toex@evil/index.html',
    'app://toex:8080/index.html',
    'app://toexx/index.html',
    'not a url',
  ])('refuses to navigate to %s', (url) => {
    expect(allowNavigation(url)).toBe(false);
  });

  it.each(['app://toex/index.html', 'app://toex/', 'app://toex/index.html#/cases/2'])(
    'lets the window move within its own origin: %s',
    (url) => {
      expect(allowNavigation(url)).toBe(true);
    },
  );

  it('opens no window, whatever the address', () => {
    expect(windowOpenDecision()).toEqual({ action: 'deny' });
  });

  it('refuses every permission Electron knows of', () => {
    const permissions = electronPermissions();
    expect(permissions).toEqual(expect.arrayContaining(['media', 'geolocation', 'notifications']));
    expect(permissions.length).toBeGreaterThan(30);
    expect(permissions.filter((p) => allowPermission(p))).toEqual([]);
  });

  it.each([
    'http://example.org/x.js',
    'https://example.org/x.js',
    'file:///home/officer/evidence.wav',
    'ws://127.0.0.1:9000/',
    'wss://example.org/',
    'ftp://example.org/',
    'blob:app://toex/1234',
    'chrome-extension://abc/x.js',
    'app://other/index.html',
  ])('cancels a request for %s', (url) => {
    expect(allowRequest(url)).toBe(false);
  });

  it.each([
    'app://toex/assets/index.js',
    'app://toex/media/4a0e3c3e-2b6c-4c39-9a57-0f1d3b7f7a11/3',
    'data:image/png;base64,iVBORw0KGgo=',
    'devtools://devtools/bundled/inspector.html',
  ])('lets through a request for %s', (url) => {
    expect(allowRequest(url)).toBe(true);
  });

  it('tells the app origin from look-alikes', () => {
    expect(isAppUrl('app://toex/x')).toBe(true);
    expect(isAppUrl(undefined)).toBe(false);
    expect(isAppUrl('app://toex.evil/x')).toBe(false);
  });

  it('serves a policy with nothing inline, no eval, and nothing by default', () => {
    const directives = CONTENT_SECURITY_POLICY.split(';').map((d) => d.trim());
    expect(directives).toContain("default-src 'none'");
    expect(directives).toContain("script-src 'self'");
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-inline|unsafe-eval|\*|https?:|wss?:/);
  });

  it('is applied by main.ts: the window, navigation, new windows, permissions and requests', () => {
    const main = source('main/electron/main.ts').replace(/\s+/g, ' ');
    expect(main).toMatch(/new BrowserWindow\(\{[^}]*webPreferences: \{ \.\.\.webPreferences,/);
    expect(main).toContain('app.enableSandbox()');
    expect(main).toContain(
      'registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: appSchemePrivileges }])',
    );
    expect(main).toContain('setWindowOpenHandler(windowOpenDecision)');
    for (const name of ['will-navigate', 'will-redirect']) {
      expect(main).toContain(
        `on('${name}', (event) => { if (!allowNavigation(event.url)) event.preventDefault(); })`,
      );
    }
    expect(main).toContain(
      'setPermissionRequestHandler((_contents, permission, callback) =>' +
        ' callback(allowPermission(permission)),',
    );
    expect(main).toContain(
      'setPermissionCheckHandler((_contents, permission) => allowPermission(permission))',
    );
    expect(main).toContain(
      'onBeforeRequest((details, callback) => callback({ cancel: !allowRequest(details.url) }),',
    );
    expect(main).toContain('fromApp(event) ? api.call(name, input) : refused()');
    expect(main).toContain('if (!window || !fromApp(event)) return [];');
  });

  it('weakens none of it anywhere in the desktop adapter', () => {
    const weakening = [
      /(contextIsolation|sandbox|webSecurity): false/,
      /(nodeIntegration\w*|webviewTag|allowRunningInsecureContent): true/,
      /bypassCSP|corsEnabled/,
    ];
    const files = readdirSync(join(root, 'main', 'electron')).filter((f) => f.endsWith('.ts'));
    const weakened = files.filter((f) =>
      weakening.some((pattern) => pattern.test(source(join('main', 'electron', f)))),
    );
    expect(files).toEqual(expect.arrayContaining(['main.ts', 'hardening.ts', 'preload.ts']));
    expect(weakened).toEqual([]);
  });

  it('keeps electron out of the settings, so they can be checked without it', () => {
    expect(source('main/electron/hardening.ts')).not.toMatch(/from ['"]electron['"]|require\(/);
  });
});

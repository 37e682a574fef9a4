/**
 * The desktop app: one hardened window onto the same API service the CLI and
 * web mode use, bound to IPC. Everything the window may do is decided in
 * hardening.ts; this file only wires those decisions into Electron.
 */
import { existsSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';

import {
  BrowserWindow,
  app,
  dialog,
  ipcMain,
  protocol,
  session,
  type IpcMainInvokeEvent,
  type WebContents,
} from 'electron';

import { ApiService } from '../api/ApiService.js';
import { CHANNEL_CALL, CHANNEL_EVENT, CHANNEL_STAGE, type Envelope } from '../api/contract.js';
import { installRoot } from '../installRoot.js';
import { configureLogging, getLogger } from '../log/log.js';
import { appProtocolHandler } from './appProtocol.js';
import {
  APP_ENTRY,
  APP_SCHEME,
  allowNavigation,
  allowPermission,
  allowRequest,
  appSchemePrivileges,
  isAppUrl,
  webPreferences,
  windowOpenDecision,
} from './hardening.js';

const log = getLogger('electron');

// Both must happen before the app is ready: every renderer sandboxed, and the
// app's scheme given its privileges.
app.enableSandbox();
protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: appSchemePrivileges }]);

// A second copy would open the same databases and resume the same jobs.
if (app.requestSingleInstanceLock()) {
  start();
} else {
  app.quit();
}

function start(): void {
  const root = installRoot();
  const home = app.getPath('userData');
  configureLogging({ dir: join(home, 'logs') });
  const api = new ApiService(home);
  let window: BrowserWindow | undefined;

  app.on('web-contents-created', (_event, contents) => harden(contents));
  app.on('second-instance', () => {
    if (window?.isMinimized()) window.restore();
    window?.focus();
  });
  app.on('window-all-closed', () => app.quit());
  // Quitting waits for running jobs to be put back in the queue at their checkpoints.
  let released = false;
  app.on('will-quit', (event) => {
    if (released) return;
    event.preventDefault();
    void api.dispose().finally(() => {
      released = true;
      app.quit();
    });
  });

  ipcMain.handle(CHANNEL_CALL, (event, name: unknown, input: unknown) =>
    fromApp(event) ? api.call(name, input) : refused(),
  );
  ipcMain.handle(CHANNEL_STAGE, async (event) => {
    if (!window || !fromApp(event)) return [];
    const picked = await dialog.showOpenDialog(window, {
      title: 'Add evidence',
      properties: ['openFile', 'multiSelections'],
    });
    const files = picked.filePaths.map((path) => {
      const size = statSync(path).size;
      const name = basename(path);
      return { stagedId: api.stage({ path, name, owned: false }), name, size };
    });
    log.info({ files: files.length }, 'files chosen for import');
    return files;
  });
  api.onDidEvent((event) => {
    if (window && !window.isDestroyed()) window.webContents.send(CHANNEL_EVENT, event);
  });

  app
    .whenReady()
    .then(() => {
      const rendererDir = join(root, 'dist', 'renderer');
      if (!existsSync(join(rendererDir, 'index.html'))) {
        dialog.showErrorBox('TOEX Workstation', 'The window is not built: run npm run build.');
        app.quit();
        return;
      }
      lockDown();
      protocol.handle(APP_SCHEME, appProtocolHandler({ rendererDir, media: api }));
      window = openWindow(root);
    })
    .catch((err: unknown) => {
      log.error({ err }, 'the desktop app did not start');
      app.exit(1);
    });
}

/** The session grants nothing and fetches nothing but the app's own pages. */
function lockDown(): void {
  const ses = session.defaultSession;
  ses.setPermissionRequestHandler((_contents, permission, callback) =>
    callback(allowPermission(permission)),
  );
  ses.setPermissionCheckHandler((_contents, permission) => allowPermission(permission));
  ses.webRequest.onBeforeRequest((details, callback) =>
    callback({ cancel: !allowRequest(details.url) }),
  );
}

/** Every web contents, the window's and any other, stays where it is and opens nothing. */
function harden(contents: WebContents): void {
  contents.on('will-navigate', (event) => {
    if (!allowNavigation(event.url)) event.preventDefault();
  });
  contents.on('will-redirect', (event) => {
    if (!allowNavigation(event.url)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(windowOpenDecision);
}

function openWindow(root: string): BrowserWindow {
  const window = new BrowserWindow({
    width: 1280,
    height: 800,
    show: false,
    title: 'TOEX Workstation',
    webPreferences: {
      ...webPreferences,
      preload: join(root, 'dist', 'electron', 'preload.cjs'),
      // The developer tools can run anything in the window: not in a release.
      devTools: !app.isPackaged,
    },
  });
  window.once('ready-to-show', () => window.show());
  window.loadURL(APP_ENTRY).catch((err: unknown) => log.error({ err }, 'the window did not load'));
  return window;
}

/** Only the app's own page may call: not a frame or page that got in some other way. */
function fromApp(event: IpcMainInvokeEvent): boolean {
  return isAppUrl(event.senderFrame?.url);
}

function refused(): Envelope<never> {
  return {
    ok: false,
    error: { kind: 'bad-input', message: 'calls come only from the app window' },
  };
}

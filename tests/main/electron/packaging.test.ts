import { readFileSync, type Stats } from 'node:fs';
import { join } from 'node:path';

import type { AppInfo, Configuration } from 'app-builder-lib';
import { FileMatcher } from 'app-builder-lib/out/fileMatcher.js';
import { getConfig, validateConfiguration } from 'app-builder-lib/out/util/config/config.js';
import { expandMacro } from 'app-builder-lib/out/util/macroExpander.js';
import { DebugLogger, setPrinter } from 'builder-util';
import ts from 'typescript';
import { beforeAll, describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..', '..');

const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  productName: string;
  main: string;
  scripts: Record<string, string>;
  devDependencies: Record<string, string>;
};

/** The patterns of a `files` or `asarUnpack` entry, however electron-builder normalised them. */
function patterns(entry: unknown): string[] {
  return (Array.isArray(entry) ? entry : [entry]).flatMap((p: string | { filter?: string[] }) =>
    typeof p === 'string' ? [p] : (p.filter ?? []),
  );
}

/** Whether a list of electron-builder patterns takes a path, with its own matcher and macros. */
function matcher(list: string[], os: 'linux' | 'win', arch: 'x64' | 'arm64') {
  const expand = (pattern: string) => expandMacro(pattern, arch, {} as AppInfo, { os });
  const filter = new FileMatcher(root, root, expand, list).createFilter();
  const file = { isDirectory: () => false } as Stats;
  return (path: string) => filter(join(root, path), file);
}

/**
 * Whether the package takes a path of the project. The app's own files must
 * match the `files` list; the production dependencies' files are all taken
 * but for what the list excludes: electron-builder 26 puts a pattern for
 * everything before the list when it matches them.
 */
function ships(list: string[], os: 'linux' | 'win', arch: 'x64' | 'arm64') {
  const app = matcher(list, os, arch);
  const modules = matcher(['**/*', ...list], os, arch);
  return (path: string) => (path.startsWith('node_modules/') ? modules(path) : app(path));
}

/** The tsconfig that builds the Electron main process: where it writes what. */
function electronOutDir(): string {
  const text = readFileSync(join(root, 'tsconfig.electron.json'), 'utf8');
  const { config } = ts.parseConfigFileTextToJson('tsconfig.electron.json', text) as {
    config: { compilerOptions: { outDir: string; rootDir: string } };
  };
  expect(config.compilerOptions.rootDir).toBe('.');
  return config.compilerOptions.outDir;
}

describe('packaging', () => {
  let config: Configuration;

  beforeAll(async () => {
    setPrinter(() => {});
    config = await getConfig(root, null, null);
    setPrinter(null);
  });

  it('is a configuration electron-builder accepts', async () => {
    await expect(validateConfiguration(config, new DebugLogger(false))).resolves.toBeUndefined();
  });

  it('names the app the same in the package and in the installers', () => {
    expect(config.appId).toBe('uk.police.toex.workstation');
    expect(config.productName).toBe('TOEX Workstation');
    expect(pkg.productName).toBe(config.productName);
  });

  it('builds an AppImage and a deb for Linux and an NSIS installer for Windows', () => {
    expect(config.linux?.target).toEqual(['AppImage', 'deb']);
    expect(config.win?.target).toEqual(['nsis']);
    expect(config.deb?.depends).toContain('ffmpeg');
  });

  it('rebuilds native modules from source for Electron', () => {
    expect(config.npmRebuild).toBe(true);
    expect(config.buildDependenciesFromSource).toBe(true);
    // Workers are forked, which runs Electron as Node.
    expect(config.electronFuses?.runAsNode).toBe(true);
    expect(config.electronFuses?.onlyLoadAppFromAsar).toBe(true);
  });

  it('ships what runs and leaves out weights, sources, source maps and build leftovers', () => {
    const taken = ships(patterns(config.files), 'linux', 'x64');
    const shipped = [
      'package.json',
      'models/manifest.json',
      'dist/main/electron/main.js',
      'dist/main/api/ApiService.js',
      'dist/electron/preload.cjs',
      'dist/renderer/index.html',
      'dist/renderer/assets/index-abc123.js',
      'dist/workers/hash/hashWorker.js',
      'dist/bin/toex.js',
      'dist/native/toex-whisper',
      'node_modules/zod/package.json',
      'node_modules/better-sqlite3-multiple-ciphers/build/Release/better_sqlite3.node',
      'node_modules/better-sqlite3-multiple-ciphers/lib/index.js',
    ];
    const left = [
      'dist/model-weights/ggml-base.bin',
      'dist/model-weights/opus-mt-zh-en.encoder.onnx',
      'dist/test-models/tiny.onnx',
      'dist/e2e-screenshots/01-unlock.png',
      'dist/main/api/ApiService.js.map',
      'dist/native/whisper.cpp/ggml.o',
      'dist/native/whisper-main',
      'dist/native/build.log',
      'main/api/ApiService.ts',
      'bench/store.ts',
      'tests/layering.test.ts',
      'models/whisper/provision',
      'node_modules/whisper-node/lib/whisper.cpp/whisper.cpp',
      'node_modules/better-sqlite3-multiple-ciphers/deps/sqlite3/sqlite3.c',
      'node_modules/better-sqlite3-multiple-ciphers/build/Release/obj.target/better_sqlite3.node',
    ];
    expect(shipped.filter((p) => !taken(p))).toEqual([]);
    expect(left.filter(taken)).toEqual([]);
  });

  it("ships only the target's own onnxruntime binaries", () => {
    const ort = 'node_modules/onnxruntime-node/bin/napi-v6';
    const linux = ships(patterns(config.files), 'linux', 'x64');
    const windows = ships(patterns(config.files), 'win', 'x64');
    expect(linux(`${ort}/linux/x64/onnxruntime_binding.node`)).toBe(true);
    expect(linux(`${ort}/linux/x64/libonnxruntime.so.1`)).toBe(true);
    expect(linux(`${ort}/win32/x64/onnxruntime.dll`)).toBe(false);
    expect(linux(`${ort}/linux/arm64/libonnxruntime.so.1`)).toBe(false);
    expect(windows(`${ort}/win32/x64/onnxruntime_binding.node`)).toBe(true);
    expect(windows(`${ort}/win32/x64/onnxruntime.dll`)).toBe(true);
    expect(windows(`${ort}/linux/x64/libonnxruntime.so.1`)).toBe(false);
    expect(windows(`${ort}/darwin/arm64/libonnxruntime.1.dylib`)).toBe(false);
  });

  it('unpacks the native modules and the whisper runner out of the archive', () => {
    const unpacks = matcher(patterns(config.asarUnpack), 'linux', 'x64');
    expect(
      unpacks('node_modules/better-sqlite3-multiple-ciphers/build/Release/better_sqlite3.node'),
    ).toBe(true);
    expect(
      unpacks('node_modules/onnxruntime-node/bin/napi-v6/linux/x64/onnxruntime_binding.node'),
    ).toBe(true);
    expect(unpacks('node_modules/onnxruntime-node/bin/napi-v6/linux/x64/libonnxruntime.so.1')).toBe(
      true,
    );
    expect(unpacks('node_modules/some-addon/build/Release/addon.node')).toBe(true);
    expect(unpacks('dist/native/toex-whisper')).toBe(true);
    expect(unpacks('dist/main/electron/main.js')).toBe(false);
  });

  it('starts the app from the files build:electron writes', () => {
    expect(pkg.main).toBe(`${electronOutDir()}/main/electron/main.js`);
    const build = pkg.scripts['build:electron']!;
    expect(build).toMatch(
      /^tsc -p tsconfig\.electron\.json && rolldown main\/electron\/preload\.ts /,
    );
    expect(build).toMatch(
      /--format cjs .*--external electron .*--file dist\/electron\/preload\.cjs/,
    );
    expect(readFileSync(join(root, 'main/electron/main.ts'), 'utf8')).toContain(
      "preload: join(root, 'dist', 'electron', 'preload.cjs')",
    );
  });

  it('runs and packages the app with npm scripts, electron-builder pinned', () => {
    expect(pkg.scripts.app).toBe('electron .');
    expect(pkg.scripts['package:linux']).toMatch(/electron-builder --linux\b/);
    expect(pkg.scripts['package:win']).toMatch(/electron-builder --win\b/);
    expect(pkg.devDependencies['electron-builder']).toMatch(/^\d+\.\d+\.\d+$/);
  });
});

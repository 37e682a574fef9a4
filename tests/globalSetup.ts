import { execFileSync } from 'node:child_process';

/**
 * Workers, the `toex` command and the window run from the build, so the
 * suite builds first and always tests what it just built: the TypeScript,
 * then the renderer that web mode serves.
 */
export default function setup(): void {
  execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.json'], {
    stdio: 'inherit',
  });
  execFileSync(
    process.execPath,
    [
      'node_modules/vite/bin/vite.js',
      'build',
      '--config',
      'renderer/vite.config.ts',
      '--logLevel',
      'warn',
    ],
    { stdio: 'inherit' },
  );
}

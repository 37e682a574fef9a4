import { execFileSync } from 'node:child_process';

/**
 * Workers and the `toex` command run from the compiled build, so the suite
 * compiles first and always tests what it just built.
 */
export default function setup(): void {
  execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.json'], {
    stdio: 'inherit',
  });
}

import { existsSync } from 'node:fs';
import { join } from 'node:path';

import type { Command } from 'commander';

import { ApiService } from '../../api/ApiService.js';
import { ToexError } from '../../errors.js';
import { installRoot } from '../../installRoot.js';
import { WebServer } from '../../web/WebServer.js';
import type { Wrap } from '../action.js';
import { wholeNumber } from './transcriptCommands.js';

/** Where the build puts the renderer (vite build, run by bin/setup). */
export function rendererDir(): string {
  return join(installRoot(), 'dist', 'renderer');
}

export function registerServeCommands(program: Command, action: Wrap): void {
  program
    .command('serve')
    .description(
      'open the workstation window in a browser on this machine: serves it on 127.0.0.1 only, until Ctrl-C',
    )
    .option('--port <n>', 'the port to listen on (default: any free one)')
    .action(
      action(async (ctx, opts: { port?: string }) => {
        const port = opts.port === undefined ? 0 : wholeNumber(opts.port, '--port');
        if (port > 65_535) throw new ToexError('bad-input', '--port takes a port from 1 to 65535');
        const dir = rendererDir();
        if (!existsSync(join(dir, 'index.html'))) {
          throw new ToexError(
            'not-found',
            'the window is not built: run bin/setup (npm run build)',
          );
        }

        const api = new ApiService(ctx.home);
        let web: WebServer;
        try {
          web = await WebServer.start(api, { rendererDir: dir, port });
        } catch (err) {
          await api.dispose();
          if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') {
            throw new ToexError('conflict', `port ${port} is in use; give another with --port`);
          }
          throw err;
        }
        ctx.print({ url: web.url }, () => [
          "TOEX is open on this machine only. Open this address in a browser (it holds this run's key):",
          '',
          `  ${web.url}`,
          '',
          'Ctrl-C stops it; running jobs stop at their checkpoints and go on at the next start.',
        ]);

        await new Promise<void>((resolve) => {
          process.once('SIGINT', resolve);
          process.once('SIGTERM', resolve);
        });
        await web.close();
        await api.dispose();
      }),
    );
}

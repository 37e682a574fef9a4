#!/usr/bin/env node
import { runCli } from '../main/cli/program.js';

// Everything toex writes (databases, keyring, logs) is for this user alone.
process.umask(0o077);
process.exitCode = await runCli(process.argv.slice(2));

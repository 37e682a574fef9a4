#!/usr/bin/env node
import { runCli } from '../main/cli/program.js';

process.exitCode = await runCli(process.argv.slice(2));

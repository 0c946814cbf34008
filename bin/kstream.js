#!/usr/bin/env node
// The kstream command: runs the compiled CLI (npm ci / npm run build produce dist/).
import { main } from '../dist/cli/main.js';

process.exit(await main(process.argv));

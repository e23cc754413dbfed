#!/usr/bin/env node
// The workspace runs TypeScript without a build step: tsx compiles the CLI as it loads.
require('tsx/cjs/api').register();
void require('../src/main.ts').runCli(process.argv);

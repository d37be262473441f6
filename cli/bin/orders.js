#!/usr/bin/env node
// The `orders` bin: runs the TypeScript CLI through tsx's require hook (tsx is a dependency of this repository).
require('tsx/cjs');
require('../orders.ts');

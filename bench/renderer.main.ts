import { benchRenderer } from './renderer.bench.js';

/** `node <outDir>/bench/renderer.main.js` after compiling with tsc (see renderer.bench.ts). */
await benchRenderer();

import { benchEndToEnd } from './e2e.bench.js';
import { benchReadPath } from './read-path.bench.js';
import { benchRenderer } from './renderer.bench.js';
import { benchUploadScan } from './upload-scan.bench.js';
import { benchVideo } from './video.bench.js';

/** `npm run bench`: renderer figures per format, upload scanners on adversarial input, end-to-end figures with 1 and 2 workers, the read path, a 10 s video. */
const only = process.argv[2];
if (!only || only === 'renderer') await benchRenderer();
if (!only || only === 'upload-scan') await benchUploadScan();
if (!only || only === 'e2e') await benchEndToEnd();
if (!only || only === 'read') await benchReadPath();
if (!only || only === 'video') await benchVideo();

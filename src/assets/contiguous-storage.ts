import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import { BodyBuffer } from '../threads/body-buffer.js';

/** What multer hands a storage engine for the one file of an upload (the part of it we use). */
interface IncomingFile {
  stream: Readable;
}

type Done = (error: Error | null, info?: { buffer: Buffer; size: number }) => void;

/** A multer storage engine (multer's `storage` option): its two methods are multer's contract. */
export interface ContiguousStorage {
  _handleFile(req: IncomingMessage, file: IncomingFile, cb: Done): void;
  _removeFile(req: IncomingMessage, file: IncomingFile & { buffer?: Buffer }, cb: (error: Error | null) => void): void;
}

/**
 * multer's memory storage, but the file is gathered into one movable buffer as it arrives
 * (BodyBuffer: why), so the inspection thread receives it by transfer and the API's heap never
 * holds the upload's chunks. `maxBytes` is the upload's limit (multer's fileSize).
 */
export function contiguousStorage(maxBytes: number): ContiguousStorage {
  return {
    _handleFile(req, file, cb) {
      // busboy stops a file one byte past multer's fileSize, which multer then refuses as too large.
      const body = new BodyBuffer(maxBytes + 1, req.headers['content-length']);
      let settled = false;
      const settle = (err: Error | null): void => {
        if (settled) return;
        settled = true;
        if (err) cb(err);
        else cb(null, { buffer: body.take(), size: body.size });
      };
      file.stream.on('data', (chunk: Buffer) => {
        // Cannot happen while busboy enforces the limit; refused rather than overrun if it does.
        // multer (through Nest) answers its "File too large" as our 413.
        if (!settled && !body.append(chunk)) settle(new Error('File too large'));
      });
      file.stream.on('error', (err: Error) => settle(err));
      file.stream.on('end', () => settle(null));
    },
    _removeFile(_req, file, cb) {
      delete file.buffer;
      cb(null);
    },
  };
}

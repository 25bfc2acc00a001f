import { Writable } from 'node:stream';

/** A pino destination that keeps every JSON log line, so tests can assert on what a service logged. */
export class LogCapture extends Writable {
  readonly lines: Record<string, unknown>[] = [];

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: () => void) {
    for (const line of chunk.toString('utf8').split('\n')) {
      if (line.trim()) this.lines.push(JSON.parse(line) as Record<string, unknown>);
    }
    callback();
  }

  find(predicate: (line: Record<string, unknown>) => boolean) {
    return this.lines.filter(predicate);
  }
}

import { describe, expect, it } from '@jest/globals';
import { Writable } from 'node:stream';
import { correlation, correlationIdFrom, createLogger } from './logging.js';

describe('correlation ids', () => {
  it('keeps a well-formed caller id', () => {
    expect(correlationIdFrom('req-1234abcd')).toBe('req-1234abcd');
  });

  it.each([undefined, '', 'short', 'has spaces in it', 'newline\ninjected-log-line', 'x'.repeat(200)])(
    'replaces %j with a fresh uuid',
    (value) => {
      expect(correlationIdFrom(value)).toMatch(/^[0-9a-f-]{36}$/);
    },
  );

  it('adds the current id to every log line written inside its context', () => {
    const lines: Record<string, unknown>[] = [];
    const destination = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
        done();
      },
    });
    const logger = createLogger({ service: 'test', level: 'info', destination });
    correlation.run({ correlationId: 'abc-12345678' }, () => logger.info('inside'));
    logger.info('outside');
    expect(lines).toEqual([
      expect.objectContaining({ msg: 'inside', correlationId: 'abc-12345678', service: 'test' }),
      expect.not.objectContaining({ correlationId: expect.anything() }),
    ]);
  });
});

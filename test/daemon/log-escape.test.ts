import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/daemon/logger.js';

describe('log lines never carry raw control characters from user input', () => {
  it('escapes DEL, C1 and bidi overrides in the message (JSON itself escapes C0)', async () => {
    let out = '';
    const destination = new Writable({
      write: (chunk: Buffer, _enc, done) => {
        out += chunk.toString('utf8');
        done();
      },
    });
    const log = createLogger({ level: 'info', destination });
    log.info({ session: 'agent:x:y' }, 'stopped agent:x:\u202eevil\u007f\u009b31m');
    log.flush();
    await new Promise((r) => setTimeout(r, 20));
    const line = JSON.parse(out.trim()) as { msg: string };
    expect(line.msg).toBe('stopped agent:x:\\u202eevil\\x7f\\x9b31m');
    expect(out).not.toMatch(/[\u007f-\u009f\u202e]/);
  });
});

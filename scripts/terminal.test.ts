import { CLEAR_LINE, glyphs, isInteractive, statusLine } from './terminal';

function sink(tty: boolean) {
  const chunks: string[] = [];
  return { chunks, stream: { write: (t: string) => void chunks.push(t), tty } };
}

describe('terminal output', () => {
  it('uses emoji on a terminal only', () => {
    expect(glyphs(true)('ok')).toBe('✅ ');
    expect(glyphs(false)('ok')).toBe('');
  });

  it('counts a dumb terminal and a pipe as not interactive', () => {
    expect(isInteractive({ isTTY: true }, {})).toBe(true);
    expect(isInteractive({ isTTY: true }, { TERM: 'dumb' })).toBe(false);
    expect(isInteractive({}, {})).toBe(false);
  });

  it('redraws a status line in place on a terminal, clearing the line first, and ends it with a newline', () => {
    const { chunks, stream } = sink(true);
    const line = statusLine(stream);
    line.update('scanned 10/100 (running)');
    line.update('scanned 10/100 (running)');
    line.update('done');
    line.done();
    expect(chunks).toEqual([`${CLEAR_LINE}scanned 10/100 (running)`, `${CLEAR_LINE}done`, '\n']);
    expect(CLEAR_LINE).toBe('\r\x1b[2K');
  });

  it('appends one line per change elsewhere, with no carriage return', () => {
    const { chunks, stream } = sink(false);
    const line = statusLine(stream);
    line.update('a');
    line.update('a');
    line.update('b');
    line.done();
    expect(chunks).toEqual(['a\n', 'b\n']);
  });
});

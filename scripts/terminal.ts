// What the operator commands may write depending on where it goes: emoji and in-place redraws only to a terminal;
// a pipe, a log file or CI gets plain lines that grep and diff cleanly. The commands print no colours (so NO_COLOR
// has nothing to turn off); TERM=dumb terminals cannot redraw, so they count as plain too.

/** A stream the command writes to, and whether it is an interactive terminal. */
export interface OutStream {
  write(text: string): void;
  tty: boolean;
}

/** True when `stream` is a terminal that understands cursor movement. */
export function isInteractive(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean(stream.isTTY) && env.TERM !== 'dumb';
}

const EMOJI = { ok: '✅', fail: '❌', warn: '⚠️ ', stats: '📊', health: '🩺', tip: '💡', unknown: '❓' } as const;
export type Glyph = keyof typeof EMOJI;

/** `glyph('ok')` → `✅ ` on a terminal, `` elsewhere: prefix a line with it, no double spaces either way. */
export function glyphs(tty: boolean): (g: Glyph) => string {
  return (g) => (tty ? `${EMOJI[g]} ` : '');
}

/** Return to column 0 and erase the line, so a shorter line leaves no tail of the longer one before it. */
export const CLEAR_LINE = '\r\x1b[2K';
/** Cursor home and erase the screen, for full-screen refreshes. */
export const CLEAR_SCREEN = '\x1b[H\x1b[2J';

/**
 * One status line: redrawn in place on a terminal (cleared first), appended as a new line elsewhere, and only when
 * it changed, so a log gets one line per change rather than one per poll.
 */
export function statusLine(out: OutStream): { update(line: string): void; done(): void } {
  let last: string | undefined;
  return {
    update(line) {
      if (line === last) return;
      last = line;
      out.write(out.tty ? `${CLEAR_LINE}${line}` : `${line}\n`);
    },
    done() {
      if (out.tty && last !== undefined) out.write('\n');
    },
  };
}

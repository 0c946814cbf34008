import { describe, expect, it } from 'vitest';
import { BadLineError, LineSplitter } from './line-splitter.js';

function split(chunks: Buffer[], maxLineBytes?: number): string[] {
  const lines: string[] = [];
  const splitter = new LineSplitter((line, n) => lines.push(`${n}:${line.toString('latin1')}`), maxLineBytes);
  for (const c of chunks) splitter.push(c);
  splitter.end();
  return lines;
}

describe('LineSplitter', () => {
  it('splits on \\n and \\r\\n, across chunk boundaries, with a last line without newline', () => {
    const text = 'one\r\ntwo\n\nthr\ree\nlast';
    const expected = ['1:one', '2:two', '3:', '4:thr\ree', '5:last'];
    expect(split([Buffer.from(text)])).toEqual(expected);
    // Every way of cutting the input in two gives the same lines.
    for (let at = 0; at <= text.length; at++) {
      expect(split([Buffer.from(text.slice(0, at)), Buffer.from(text.slice(at))]), `cut at ${at}`).toEqual(expected);
    }
    expect(split(Array.from(text, (c) => Buffer.from(c)))).toEqual(expected);
  });

  it('passes bytes through undecoded', () => {
    const lines: Buffer[] = [];
    const splitter = new LineSplitter((line) => lines.push(Buffer.from(line)));
    splitter.push(Buffer.from([0xff, 0xfe, 0x0a, 0xc3]));
    splitter.push(Buffer.from([0xa9]));
    splitter.end();
    expect(lines).toEqual([Buffer.from([0xff, 0xfe]), Buffer.from([0xc3, 0xa9])]);
  });

  it('refuses a line longer than the limit, naming it, before holding it all', () => {
    const splitter = new LineSplitter(() => {}, 8);
    splitter.push(Buffer.from('short\n'));
    splitter.push(Buffer.from('0123'));
    expect(() => splitter.push(Buffer.from('45678'))).toThrow(new BadLineError(2, 'is longer than 8 bytes'));
    expect(() => split([Buffer.from('ok\n0123456789\n')], 8)).toThrow('line 2 is longer than 8 bytes');
  });
});

/** Deterministic random text: a Zipf-like vocabulary, 1-15 words per line. */
export function randomLines(count: number, seed: number, vocabularySize = 20_000): { records: Buffer[]; words: number; texts: string[] } {
  let s = seed >>> 0;
  const rand = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
  const vocabulary = Array.from({ length: vocabularySize }, (_, i) => `w${i.toString(36)}`);
  const texts: string[] = [];
  let words = 0;
  for (let i = 0; i < count; i++) {
    const n = 1 + Math.floor(rand() * 15);
    const parts: string[] = [];
    for (let j = 0; j < n; j++) parts.push(vocabulary[Math.floor(vocabularySize * Math.pow(rand(), 3))]!);
    words += n;
    texts.push(parts.join(' '));
  }
  return { records: texts.map((t) => Buffer.from(t)), words, texts };
}

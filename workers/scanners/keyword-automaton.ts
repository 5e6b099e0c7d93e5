// A multi-keyword prefilter (Aho-Corasick compiled to a DFA over a small alphabet): one pass over a
// string finds every keyword it contains, case-insensitively for ASCII letters, whatever the
// number of keywords. The secret rules name about 200 keywords; checking them one `includes` at a
// time read each string about 200 times, which made the keyword prefilter cost more than the
// regexes it guards. The same pass counts the cheap facts some rules need before any regex can
// match (digits, the longest run of token characters), so keyword-less rules are gated as well.

/** Cheap facts about a string, gathered in the automaton's single pass. */
export interface TextFacts {
  /** ASCII digits in the string. */
  digits: number;
  /** Longest run of [A-Za-z0-9_-]: no token-shaped secret is longer than the run holding it. */
  longestTokenRun: number;
}

const ASCII = 128;

export class KeywordAutomaton {
  /** Keyword count; `scan` reports keywords by their index in the constructor's list. */
  readonly size: number;
  readonly #alphabet: Uint8Array;
  /** Transitions: next[state * symbols + symbol], itself a premultiplied state. */
  readonly #next: Int32Array;
  /** By premultiplied state: 1 where some keyword ends. */
  readonly #hasOutput: Uint8Array;
  /** By premultiplied state: the keywords that end there (directly or through suffix links). */
  readonly #outputs: (readonly number[] | undefined)[];

  constructor(keywords: readonly string[]) {
    this.size = keywords.length;
    // Letters fold to lower case; every other code unit a keyword uses gets its own symbol, and
    // everything else shares symbol 0, which no keyword contains.
    const alphabet = new Uint8Array(ASCII);
    let symbols = 1;
    for (const k of keywords) {
      if (k.length === 0) throw new Error("keywords must not be empty");
      for (let i = 0; i < k.length; i++) {
        const c = k.charCodeAt(i);
        if (c >= ASCII) throw new Error(`keyword ${JSON.stringify(k)} is not ASCII`);
        if (c >= 65 && c <= 90) throw new Error(`keyword ${JSON.stringify(k)} must be lower case`);
        if (alphabet[c] === 0) alphabet[c] = symbols++;
      }
    }
    for (let c = 65; c <= 90; c++) alphabet[c] = alphabet[c + 32]!;
    this.#alphabet = alphabet;

    // The trie, then suffix links breadth-first, filling every missing transition (a full DFA).
    const goto: number[][] = [new Array<number>(symbols).fill(-1)];
    const ends: number[][] = [[]];
    keywords.forEach((k, index) => {
      let state = 0;
      for (let i = 0; i < k.length; i++) {
        const s = alphabet[k.charCodeAt(i)]!;
        if (goto[state]![s] === -1) {
          goto[state]![s] = goto.length;
          goto.push(new Array<number>(symbols).fill(-1));
          ends.push([]);
        }
        state = goto[state]![s]!;
      }
      ends[state]!.push(index);
    });
    const fail = new Array<number>(goto.length).fill(0);
    const queue: number[] = [];
    for (let s = 0; s < symbols; s++) {
      const child = goto[0]![s]!;
      if (child === -1) goto[0]![s] = 0;
      else queue.push(child);
    }
    while (queue.length > 0) {
      const state = queue.shift()!;
      ends[state] = [...ends[state]!, ...ends[fail[state]!]!];
      for (let s = 0; s < symbols; s++) {
        const child = goto[state]![s]!;
        if (child === -1) {
          goto[state]![s] = goto[fail[state]!]![s]!;
        } else {
          fail[child] = goto[fail[state]!]![s]!;
          queue.push(child);
        }
      }
    }
    this.#next = new Int32Array(goto.length * symbols);
    this.#hasOutput = new Uint8Array(goto.length * symbols);
    this.#outputs = new Array<readonly number[] | undefined>(goto.length * symbols);
    goto.forEach((row, state) => {
      this.#next.set(
        row.map((to) => to * symbols),
        state * symbols,
      );
      if (ends[state]!.length > 0) {
        this.#hasOutput[state * symbols] = 1;
        this.#outputs[state * symbols] = [...new Set(ends[state])];
      }
    });
  }

  /**
   * The OR of `masks[k]` over every keyword k in `text` (`masks` holds `size` entries). For callers
   * that only need to know which groups of keywords occur: no facts, no marks, the cheapest pass.
   */
  maskOf(text: string, masks: Uint32Array): number {
    const alphabet = this.#alphabet;
    const next = this.#next;
    const hasOutput = this.#hasOutput;
    const outputs = this.#outputs;
    let state = 0;
    let mask = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c >= ASCII) {
        state = 0;
        continue;
      }
      state = next[state + alphabet[c]!]!;
      if (hasOutput[state] === 1) for (const k of outputs[state]!) mask |= masks[k]!;
    }
    return mask;
  }

  /**
   * Marks `found[k] = 1` for every keyword k in `text` (`found` must hold `size` entries, cleared
   * by the caller) and returns the string's facts, with `hits`, the keywords newly marked.
   */
  scan(text: string, found: Uint8Array): TextFacts & { hits: number } {
    const alphabet = this.#alphabet;
    const next = this.#next;
    const hasOutput = this.#hasOutput;
    const outputs = this.#outputs;
    // `state` is kept premultiplied by the alphabet's size: one load per character.
    let state = 0;
    let digits = 0;
    let run = 0;
    let longest = 0;
    let hits = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c >= ASCII) {
        state = 0;
        run = 0;
        continue;
      }
      state = next[state + alphabet[c]!]!;
      if (hasOutput[state] === 1) {
        for (const k of outputs[state]!) {
          if (found[k] === 0) {
            found[k] = 1;
            hits++;
          }
        }
      }
      // Branch-free: letters, spaces and digits alternate every few characters in prose, and a branch
      // on the kind mispredicted about as often.
      run = (run + 1) & -TOKEN_CHAR[c]!;
      if (run > longest) longest = run;
      digits += DIGIT_CHAR[c]!;
    }
    return { digits, longestTokenRun: longest, hits };
  }
}

/** Per ASCII code: 1 for a token character (a letter, a digit, "_" or "-"), else 0. */
const TOKEN_CHAR = new Uint8Array(ASCII);
/** Per ASCII code: 1 for a digit, else 0. */
const DIGIT_CHAR = new Uint8Array(ASCII);
for (let c = 0; c < ASCII; c++) {
  if (c >= 48 && c <= 57) DIGIT_CHAR[c] = 1;
  if ((c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 45) TOKEN_CHAR[c] = 1;
}

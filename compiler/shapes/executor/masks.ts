/**
 * The need/want masks of an executor: one bit per node, in topological order, then one per input
 * a node reads, packed into words of 30 bits (small integers, which V8 keeps unboxed) held in one
 * Int32Array per family, so a compute function takes two arrays however large the graph. `want`
 * holds the requested outputs, `need` everything upstream of them; a node runs when its `need`
 * bit is set, and an input is required when its own bit is: one test, however many nodes read it.
 * Every element read carries `!`, so the code stays clean under `noUncheckedIndexedAccess`.
 */
import { code, hex, joinCode, type Code } from "../../codegen/writer.js";

const BITS_PER_WORD = 30;

export type MaskFamily = "need" | "want";

/** The name of an input's bit, for the methods below: apart from every node name. */
export function inputBit(input: string): string {
  return `\0input:${input}`;
}

export class Masks {
  /** How many words each family has. */
  readonly words: number;
  private readonly bit = new Map<string, number>();

  constructor(order: readonly string[], inputs: readonly string[]) {
    order.forEach((name, i) => this.bit.set(name, i));
    inputs.forEach((name, i) => this.bit.set(inputBit(name), order.length + i));
    this.words = Math.max(1, Math.ceil((order.length + inputs.length) / BITS_PER_WORD));
  }

  /** The array holding a family's words: `need`. */
  array(family: MaskFamily): Code {
    return family as Code;
  }

  /** Word `w` of a family: `need[0]!`. */
  word(family: MaskFamily, w: number): Code {
    return code`${this.array(family)}[${w}]!`;
  }

  /** `need[0]! & 0x4`: a test of one node's bit. */
  test(family: MaskFamily, name: string): Code {
    const b = this.bit.get(name)!;
    return code`${this.word(family, Math.floor(b / BITS_PER_WORD))} & ${hex(1 << (b % BITS_PER_WORD))}`;
  }

  /** The bits of `names`, grouped by word, in word order. */
  private wordMasks(names: Iterable<string>): [number, number][] {
    const words = new Map<number, number>();
    for (const name of names) {
      const b = this.bit.get(name);
      if (b === undefined) continue;
      const w = Math.floor(b / BITS_PER_WORD);
      words.set(w, (words.get(w) ?? 0) | (1 << (b % BITS_PER_WORD)));
    }
    return [...words.entries()].sort(([a], [b]) => a - b);
  }

  /** Statements OR-ing the bits of `names` into a family (one per word touched). */
  setBits(family: MaskFamily, names: Iterable<string>): Code[] {
    return this.wordMasks(names).map(([w, m]) => code`${this.word(family, w)} |= ${hex(m)};`);
  }

  /** True when any of `names` is set. */
  anyBit(family: MaskFamily, names: Iterable<string>): Code {
    const terms = this.wordMasks(names).map(([w, m]) => code`(${this.word(family, w)} & ${hex(m)}) !== 0`);
    if (terms.length === 0) return code`false`;
    return terms.length === 1 ? terms[0]! : code`(${joinCode(terms, " || ")})`;
  }

  /** True when none of `names` is set. */
  noBit(family: MaskFamily, names: Iterable<string>): Code {
    const terms = this.wordMasks(names).map(([w, m]) => code`(${this.word(family, w)} & ${hex(m)}) === 0`);
    return terms.length === 0 ? code`true` : joinCode(terms, " && ");
  }

  /** True when every one of `names` is set. */
  allBits(family: MaskFamily, names: Iterable<string>): Code {
    return joinCode(
      this.wordMasks(names).map(([w, m]) => code`(${this.word(family, w)} & ${hex(m)}) === ${hex(m)}`),
      " && ",
    );
  }
}

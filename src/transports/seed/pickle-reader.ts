/**
 * pickle-reader: reads the opcodes numpy uses to pickle an array into an inert tree — never a
 * pickle machine. Globals become `{ kind: 'global' }` records that are only compared by name,
 * REDUCE and BUILD become `call` / `build` nodes that are never executed, and any opcode numpy
 * does not write for a uint8 array (STRING, INST, OBJ, EXT*, PERSID, dicts, lists …) is refused.
 * numpy-array.ts then checks the tree against the one shape an ndarray pickle has.
 *
 * Accepted opcodes (protocol 0 text forms and protocol 3/4 binary forms):
 * ```
 * 80 PROTO  95 FRAME  c GLOBAL  93 STACK_GLOBAL  8c SHORT_BINUNICODE  X BINUNICODE  V UNICODE
 * 94 MEMOIZE  p PUT  q BINPUT  r LONG_BINPUT  g GET  h BINGET  j LONG_BINGET
 * K BININT1  M BININT2  J BININT  I INT  N NONE  88 NEWTRUE  89 NEWFALSE
 * ( MARK  t TUPLE  ) EMPTY_TUPLE  85 TUPLE1  86 TUPLE2  87 TUPLE3
 * C SHORT_BINBYTES  B BINBYTES  8e BINBYTES8  R REDUCE  b BUILD  . STOP
 * ```
 */
import { createError, type CamwireError } from '../../util/errors.js';

/** PGlobal names a Python object by module and name; it is never looked up. */
export interface PGlobal {
  kind: 'global';
  module: string;
  name: string;
}
/** PTuple is a tuple of values. */
export interface PTuple {
  kind: 'tuple';
  items: PValue[];
}
/** PCall records `fn(*args)` (REDUCE) without calling anything. */
export interface PCall {
  kind: 'call';
  fn: PValue;
  args: PValue;
}
/** PBuild records `obj.__setstate__(state)` (BUILD) without calling anything. */
export interface PBuild {
  kind: 'build';
  obj: PValue;
  state: PValue;
}
/** PValue is one node of the inert tree: plain data, or a record of what a pickle machine would do. */
export type PValue = number | string | boolean | null | Buffer | PGlobal | PTuple | PCall | PBuild;

/** MAX_OPS: a numpy array pickle has about 70 opcodes; anything far beyond is not one. */
const MAX_OPS = 400;
/** MAX_STACK: numpy's pickle nests 3 deep; 64 bounds the work a hostile pickle can ask for. */
const MAX_STACK = 64;
/** MAX_MEMO: numpy's pickle memoizes about 20 values. */
const MAX_MEMO = 256;
/** MAX_NAME: module, attribute and dtype names are short; a longer line is not numpy's. */
const MAX_NAME = 128;

const MARK = Symbol('mark');
type Slot = PValue | typeof MARK;

/** badPickle builds the typed refusal every pickle check throws. */
export function badPickle(format: string, what: string): CamwireError {
  return createError('CAMWIRE_ERR_BAD_PICKLE', `${format}: ${what} (refused without unpickling)`);
}

/** readPickle turns one whole pickle into an inert tree; `format` names the wire format in errors. */
export function readPickle(b: Buffer, format: string): PValue {
  const stack: Slot[] = [];
  const memo = new Map<number, PValue>();
  let i = 0;
  let ops = 0;
  const fail = (what: string): never => {
    throw badPickle(format, `${what} at byte ${i}`);
  };
  const need = (n: number) => {
    if (i + n > b.length) fail(`pickle ends early (needs ${n} more bytes)`);
  };
  const pop = (): PValue => {
    const v = stack.pop();
    if (v === undefined || v === MARK) return fail('stack underflow');
    return v as PValue;
  };
  const push = (v: PValue) => {
    if (stack.length >= MAX_STACK) fail('pickle nests too deep for a numpy array');
    stack.push(v);
  };
  const top = (): PValue => {
    const v = stack[stack.length - 1];
    if (v === undefined || v === MARK) return fail('nothing to memoize');
    return v as PValue;
  };
  const put = (k: number) => {
    if (k >= MAX_MEMO || (memo.size >= MAX_MEMO && !memo.has(k))) fail(`memo index ${k} is beyond a numpy array's`);
    memo.set(k, top());
  };
  const get = (k: number) => {
    const v = memo.get(k);
    if (v === undefined) fail(`memo index ${k} was never stored`);
    push(v as PValue);
  };
  const line = (max: number): string => {
    const end = b.indexOf(0x0a, i);
    if (end < 0 || end - i > max) fail('text line missing its newline or too long');
    const s = b.toString('latin1', i, end);
    i = end + 1;
    return s;
  };
  const decimal = (s: string): number => {
    if (!/^-?[0-9]{1,15}$/.test(s)) fail(`"${s.slice(0, 20)}" is not a decimal integer`);
    return Number(s);
  };
  const popToMark = (): PValue[] => {
    const at = stack.lastIndexOf(MARK);
    if (at < 0) fail('TUPLE without MARK');
    return stack.splice(at).slice(1) as PValue[];
  };
  const tupleOf = (n: number) => {
    if (stack.length < n) fail('stack underflow');
    const items = stack.splice(stack.length - n);
    if (items.includes(MARK)) fail('MARK inside a short tuple');
    push({ kind: 'tuple', items: items as PValue[] });
  };
  const name = (v: PValue): string => (typeof v === 'string' && v.length <= MAX_NAME ? v : fail('STACK_GLOBAL needs two short strings'));

  if (b.length === 0) fail('empty pickle');
  for (;;) {
    if (++ops > MAX_OPS) fail(`more than ${MAX_OPS} opcodes`);
    need(1);
    const op = b[i++];
    switch (op) {
      case 0x80: {
        need(1);
        const v = b[i++];
        if (i !== 2 || (v !== 3 && v !== 4)) fail(`pickle protocol ${v} (expected 0, 3 or 4, as numpy writes)`);
        break;
      }
      case 0x95: {
        need(8);
        const len = b.readUInt32LE(i) + b.readUInt32LE(i + 4) * 2 ** 32;
        i += 8;
        if (len > b.length - i) fail(`FRAME of ${len} bytes runs past the end`);
        break; // framing only groups opcodes; the opcodes inside are read as usual
      }
      case 0x63 /* c */: {
        const module = line(MAX_NAME);
        push({ kind: 'global', module, name: line(MAX_NAME) });
        break;
      }
      case 0x93: {
        const n = name(pop());
        push({ kind: 'global', module: name(pop()), name: n });
        break;
      }
      case 0x8c: {
        need(1);
        const n = b[i++];
        need(n);
        push(b.toString('utf8', i, (i += n)));
        break;
      }
      case 0x58 /* X */: {
        need(4);
        const n = b.readUInt32LE(i);
        i += 4;
        if (n > MAX_NAME) fail(`a ${n}-byte string where numpy writes short names`);
        need(n);
        push(b.toString('utf8', i, (i += n)));
        break;
      }
      case 0x56 /* V */:
        push(rawUnicodeEscape(b, i, fail));
        i = b.indexOf(0x0a, i) + 1;
        break;
      case 0x94:
        put(memo.size);
        break;
      case 0x70 /* p */:
        put(decimal(line(16)));
        break;
      case 0x71 /* q */:
        need(1);
        put(b[i++]);
        break;
      case 0x72 /* r */:
        need(4);
        put(b.readUInt32LE(i));
        i += 4;
        break;
      case 0x67 /* g */:
        get(decimal(line(16)));
        break;
      case 0x68 /* h */:
        need(1);
        get(b[i++]);
        break;
      case 0x6a /* j */:
        need(4);
        get(b.readUInt32LE(i));
        i += 4;
        break;
      case 0x4b /* K */:
        need(1);
        push(b[i++]);
        break;
      case 0x4d /* M */:
        need(2);
        push(b.readUInt16LE(i));
        i += 2;
        break;
      case 0x4a /* J */:
        need(4);
        push(b.readInt32LE(i));
        i += 4;
        break;
      case 0x49 /* I */: {
        const s = line(24);
        // Protocol 0 spells booleans as INT lines "00" and "01".
        push(s === '00' ? false : s === '01' ? true : decimal(s));
        break;
      }
      case 0x4e /* N */:
        push(null);
        break;
      case 0x88:
        push(true);
        break;
      case 0x89:
        push(false);
        break;
      case 0x28 /* ( */:
        if (stack.length >= MAX_STACK) fail('pickle nests too deep for a numpy array');
        stack.push(MARK);
        break;
      case 0x74 /* t */:
        push({ kind: 'tuple', items: popToMark() });
        break;
      case 0x29 /* ) */:
        push({ kind: 'tuple', items: [] });
        break;
      case 0x85:
      case 0x86:
      case 0x87:
        tupleOf(op - 0x84);
        break;
      case 0x43 /* C */: {
        need(1);
        const n = b[i++];
        need(n);
        push(b.subarray(i, (i += n)));
        break;
      }
      case 0x42 /* B */: {
        need(4);
        const n = b.readUInt32LE(i);
        i += 4;
        need(n);
        push(b.subarray(i, (i += n)));
        break;
      }
      case 0x8e: {
        need(8);
        const n = b.readUInt32LE(i) + b.readUInt32LE(i + 4) * 2 ** 32;
        i += 8;
        if (n > b.length - i) fail(`BINBYTES8 of ${n} bytes runs past the end`);
        push(b.subarray(i, (i += n)));
        break;
      }
      case 0x52 /* R */: {
        const args = pop();
        push({ kind: 'call', fn: pop(), args });
        break;
      }
      case 0x62 /* b */: {
        const state = pop();
        push({ kind: 'build', obj: pop(), state });
        break;
      }
      case 0x2e /* . */:
        if (i !== b.length) fail(`${b.length - i} bytes after STOP`);
        if (stack.length !== 1) fail(`STOP with ${stack.length} values on the stack`);
        return pop();
      default:
        i--;
        return fail(`opcode 0x${op.toString(16).padStart(2, '0')}${op >= 0x20 && op < 0x7f ? ` ('${String.fromCharCode(op)}')` : ''} is not one numpy writes for an array`);
    }
  }
}

/**
 * rawUnicodeEscape decodes a protocol 0 `V` line starting at `from` into a string of code points
 * 0–255 (numpy's bytes travel as latin-1 text). Pythons escape `\`, NUL, LF, CR and ^Z as
 * `\u00XX`; older ones only `\` and LF, so other bytes may come verbatim. A code point above
 * 255 cannot be latin-1 and is refused.
 */
function rawUnicodeEscape(b: Buffer, from: number, fail: (what: string) => never): string {
  const end = b.indexOf(0x0a, from);
  if (end < 0) fail('UNICODE line missing its newline');
  if (b.indexOf(0x5c, from) < 0 || b.indexOf(0x5c, from) >= end) return b.toString('latin1', from, end);
  const out = Buffer.allocUnsafe(end - from);
  let n = 0;
  for (let i = from; i < end; i++) {
    const c = b[i];
    if (c !== 0x5c) {
      out[n++] = c;
      continue;
    }
    if (i + 6 > end) fail('"\\" escape cut short');
    if (b[i + 1] !== 0x75 /* u */) fail('"\\" not followed by u in a UNICODE line');
    const hex = b.toString('latin1', i + 2, i + 6);
    if (!/^[0-9a-fA-F]{4}$/.test(hex)) fail(`bad escape "\\u${hex}"`);
    const cp = parseInt(hex, 16);
    if (cp > 0xff) fail(`code point U+${hex} cannot be a latin-1 byte`);
    out[n++] = cp;
    i += 5;
  }
  return out.toString('latin1', 0, n);
}

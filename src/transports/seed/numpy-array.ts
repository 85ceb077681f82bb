/**
 * numpy-array: recognises the one tree an ndarray of uint8 pickles to (see pickle-reader) and
 * returns its shape and bytes; anything else is refused, saying what was expected and what came.
 *
 * What numpy 1.x and 2.x write for `pickle.dumps(a)` of a C-ordered uint8 array, as a tree:
 * ```
 * build(
 *   call(numpy.core.multiarray._reconstruct | numpy._core.multiarray._reconstruct,
 *        (numpy.ndarray, (0,), b'b')),
 *   (1, SHAPE, build(call(numpy.dtype, ('u1', False, True)), (3, '|', None, None, None, -1, -1, 0)),
 *    False /* not Fortran order *\/, DATA))
 * ```
 * Protocol 0 has no bytes type: `b'b'` and DATA are `call(_codecs.encode, (TEXT, 'latin1'))`.
 */
import { badPickle, type PValue } from './pickle-reader.js';

/** NumpyBytes is a uint8 array's shape and its C-ordered bytes (a view into the message). */
export interface NumpyBytes {
  shape: number[];
  data: Buffer;
}

/** RECONSTRUCT_MODULES: numpy 1.x writes the first, numpy 2.x the second. */
export const RECONSTRUCT_MODULES = ['numpy.core.multiarray', 'numpy._core.multiarray'];

/** describe renders a tree node briefly for "expected …, got …" messages. */
export function describe(v: PValue): string {
  if (v === null) return 'None';
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'number') return String(v);
  if (typeof v === 'string') return JSON.stringify(v.length > 24 ? v.slice(0, 24) + '…' : v);
  if (Buffer.isBuffer(v)) return `${v.length} bytes`;
  switch (v.kind) {
    case 'global':
      return `${v.module}.${v.name}`.slice(0, 80);
    case 'tuple':
      return `(${v.items.slice(0, 8).map(describe).join(', ')}${v.items.length > 8 ? ', …' : ''})`;
    case 'call':
      return `a call of ${describe(v.fn)}`;
    case 'build':
      return `${describe(v.obj)} with state`;
  }
}

/** matchUint8Array checks `tree` against the ndarray shape above; `format` names the wire format. */
export function matchUint8Array(tree: PValue, format: string): NumpyBytes {
  const expect = (ok: boolean, what: string, got: PValue): void => {
    if (!ok) throw badPickle(format, `expected ${what}, got ${describe(got)}`);
  };
  const tuple = (v: PValue, n: number, what: string): PValue[] => {
    expect(typeof v === 'object' && v !== null && !Buffer.isBuffer(v) && v.kind === 'tuple' && v.items.length === n, what, v);
    return (v as { items: PValue[] }).items;
  };
  const isGlobal = (v: PValue, modules: string[], name: string) =>
    typeof v === 'object' && v !== null && !Buffer.isBuffer(v) && v.kind === 'global' && modules.includes(v.module) && v.name === name;
  const same = (v: PValue, want: PValue, what: string) => expect(v === want, what, v);

  expect(isBuild(tree), 'a numpy array (numpy.core.multiarray._reconstruct)', tree);
  const { obj, state } = tree as { obj: PValue; state: PValue };
  expect(isCall(obj), 'a call of numpy.core.multiarray._reconstruct', obj);
  const { fn, args } = obj as { fn: PValue; args: PValue };
  expect(isGlobal(fn, RECONSTRUCT_MODULES, '_reconstruct'), 'numpy.core.multiarray._reconstruct', fn);
  const [cls, base, typecode] = tuple(args, 3, '_reconstruct arguments (ndarray, (0,), b"b")');
  expect(isGlobal(cls, ['numpy'], 'ndarray'), 'numpy.ndarray', cls);
  same(tuple(base, 1, 'the base shape (0,)')[0], 0, 'the base shape (0,)');
  expect(bytesOf(typecode, format)?.toString('latin1') === 'b', 'the type code b"b"', typecode);

  const [version, shape, dtype, fortran, data] = tuple(state, 5, 'the array state (1, shape, dtype, False, data)');
  same(version, 1, 'array state version 1');
  const dims = tuple(shape, (shape as { items?: unknown[] })?.items?.length ?? -1, 'a shape tuple');
  for (const d of dims) expect(typeof d === 'number' && Number.isInteger(d) && d >= 0, 'a non-negative dimension', d);
  expect(isBuild(dtype), 'dtype uint8', dtype);
  const dt = dtype as { obj: PValue; state: PValue };
  expect(isCall(dt.obj) && isGlobal((dt.obj as { fn: PValue }).fn, ['numpy'], 'dtype'), 'numpy.dtype', dt.obj);
  const [code, align, copy] = tuple((dt.obj as { args: PValue }).args, 3, 'dtype arguments ("u1", False, True)');
  same(code, 'u1', 'dtype "u1" (uint8)');
  same(align, false, 'dtype align False');
  same(copy, true, 'dtype copy True');
  const dts = tuple(dt.state, 8, "the uint8 dtype state (3, '|', None, None, None, -1, -1, 0)");
  const want: PValue[] = [3, '|', null, null, null, -1, -1, 0];
  dts.forEach((v, k) => same(v, want[k], "the uint8 dtype state (3, '|', None, None, None, -1, -1, 0)"));
  same(fortran, false, 'C order (Fortran flag False)');
  const bytes = bytesOf(data, format);
  expect(bytes !== undefined, 'the array bytes', data);
  const size = (dims as number[]).reduce((a, d) => a * d, 1);
  if (size !== bytes!.length) throw badPickle(format, `shape (${dims.join(', ')}) holds ${size} bytes but the array data has ${bytes!.length}`);
  return { shape: dims as number[], data: bytes! };
}

function isBuild(v: PValue): boolean {
  return typeof v === 'object' && v !== null && !Buffer.isBuffer(v) && v.kind === 'build';
}

function isCall(v: PValue): boolean {
  return typeof v === 'object' && v !== null && !Buffer.isBuffer(v) && v.kind === 'call';
}

/** bytesOf reads a bytes value: binary (protocol 3/4), or `_codecs.encode(TEXT, 'latin1')` (protocol 0). */
function bytesOf(v: PValue, format: string): Buffer | undefined {
  if (Buffer.isBuffer(v)) return v;
  if (!isCall(v)) return undefined;
  const { fn, args } = v as { fn: PValue; args: PValue };
  const ok = typeof fn === 'object' && fn !== null && !Buffer.isBuffer(fn) && fn.kind === 'global' && fn.module === '_codecs' && fn.name === 'encode';
  if (!ok) throw badPickle(format, `expected _codecs.encode (bytes in protocol 0), got ${describe(fn)}`);
  const a = typeof args === 'object' && args !== null && !Buffer.isBuffer(args) && args.kind === 'tuple' ? args.items : [];
  if (a.length !== 2 || typeof a[0] !== 'string' || a[1] !== 'latin1') throw badPickle(format, `expected _codecs.encode(TEXT, "latin1"), got ${describe(args)}`);
  return Buffer.from(a[0], 'latin1');
}

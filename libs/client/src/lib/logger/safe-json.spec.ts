import { safeJson } from './safe-json';

/** An Error as pino writes `err`. */
const written = (error: Error) => ({ type: error.name, message: error.message, stack: error.stack });

describe('safeJson', () => {
  it('writes an Error at any depth as pino writes err: in objects, arrays, arrays of arrays, another error s fields', () => {
    const failure = Object.assign(new TypeError('x'), { code: 'E_X' });
    const inner = new RangeError('inner');
    const outer = Object.assign(new Error('outer'), { details: { reasons: [inner] } });
    const data = {
      data: { cause: failure }, // pino's `logger.info({ data: { cause } })`
      list: [[failure]],
      rows: [{ id: 1, error: failure }],
      outer,
      deep: { a: { b: { c: { d: { e: { f: { g: { h: { i: { j: failure } } } } } } } } } },
    };
    const failureWritten = { ...written(failure), code: 'E_X' };
    expect(JSON.parse(safeJson(data) as string)).toEqual({
      data: { cause: failureWritten },
      list: [[failureWritten]],
      rows: [{ id: 1, error: failureWritten }],
      outer: { ...written(outer), details: { reasons: [written(inner)] } },
      deep: { a: { b: { c: { d: { e: { f: { g: { h: { i: { j: failureWritten } } } } } } } } } },
    });
    // More objects than are looked through first: the last one's error is written the same way.
    const rows: object[] = Array.from({ length: 3_000 }, (_, i) => ({ row: { i } }));
    rows.push({ row: { failure } });
    const wide = JSON.parse(safeJson({ rows }) as string);
    expect(wide.rows[3_000]).toEqual({ row: { failure: failureWritten } });
    expect(wide.rows[0]).toEqual({ row: { i: 0 } });
  });

  it('writes a cycle through nested errors as "[Circular]", never throwing', () => {
    const failure = new Error('looped');
    const holder: Record<string, unknown> = { list: [{ failure }] };
    Object.assign(failure, { holder });
    expect(JSON.parse(safeJson({ at: { holder } }) as string)).toEqual({
      at: { holder: { list: [{ failure: { ...written(failure), holder: '[Circular]' } }] } },
    });
  });

  it('writes data holding no Error with JSON.stringify alone, no replacer: bytes, dates and nesting too', () => {
    const spy = jest.spyOn(JSON, 'stringify');
    try {
      const data = {
        n: 1,
        s: 'x',
        nested: { list: [1, 'a', { b: null }] },
        when: new Date(0),
        bytes: new Uint8Array(3),
      };
      expect(JSON.parse(safeJson(data) as string)).toEqual(JSON.parse(JSON.stringify(data)));
      expect(spy.mock.calls[0]).toEqual([data]);
    } finally {
      spy.mockRestore();
    }
  });
});

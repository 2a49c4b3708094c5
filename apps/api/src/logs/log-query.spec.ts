import { BadRequestException } from '@nestjs/common';
import { parse as parseQueryString } from 'node:querystring';
import { LogQueryParser } from './log-query';

const limits = { readMaxLimit: 1000, offsetDefaultLimit: 100 };

describe('LogQueryParser.parseString', () => {
  it('answers what parse answers for the parsed query string', () => {
    const parser = new LogQueryParser(limits);
    const reference = new LogQueryParser(limits);
    for (const search of [
      '',
      'cursor=9900',
      'offset=4950&limit=100',
      'limit=5',
      'cursor=0&q=%C3%A9t%C3%A9&level=warn',
      'format=ndjson',
    ]) {
      expect(parser.parseString(search)).toEqual(reference.parse(parseQueryString(search)));
    }
  });

  it('answers a repeated query string from its cache, frozen so that no reader can change it for the next', () => {
    const parser = new LogQueryParser(limits);
    const first = parser.parseString('offset=10&limit=20&q=x');
    expect(parser.parseString('offset=10&limit=20&q=x')).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
    expect(Object.isFrozen(first.read)).toBe(true);
    expect(first).toEqual({
      mode: 'offset',
      read: { offset: 10, limit: 20, text: 'x', minLevel: undefined },
      format: 'json',
    });
  });

  it('parses a long query string every time (the cache keeps short ones only), with the same answer', () => {
    const parser = new LogQueryParser(limits);
    const search = `cursor=3&q=${'y'.repeat(300)}`;
    const first = parser.parseString(search);
    const second = parser.parseString(search);
    expect(second).not.toBe(first);
    expect(second).toEqual(first);
    expect(first.read).toMatchObject({ cursor: 3, text: 'y'.repeat(300) });
  });

  it('rejects a bad query string every time it comes, not only the first', () => {
    const parser = new LogQueryParser(limits);
    for (let i = 0; i < 3; i++) {
      expect(() => parser.parseString('cursor=1&offset=2')).toThrow(BadRequestException);
      expect(() => parser.parseString('limit=1001')).toThrow(BadRequestException);
    }
  });

  it('stays right past the number of query strings it keeps', () => {
    const parser = new LogQueryParser(limits);
    for (let cursor = 0; cursor < 3000; cursor++) {
      expect(parser.parseString(`cursor=${cursor % 1500}`).read).toMatchObject({ cursor: cursor % 1500 });
    }
  });
});

import { parseOid } from './session';

describe('parseOid', () => {
  it('accepts 24 hex characters and lower-cases them', () => {
    expect(parseOid('5F1B2C3D4E5F6A7B8C9D0E1F')).toBe('5f1b2c3d4e5f6a7b8c9d0e1f');
  });

  it.each([
    '',
    '5f1b2c3d4e5f6a7b8c9d0e1',
    '5f1b2c3d4e5f6a7b8c9d0e1f0',
    'zf1b2c3d4e5f6a7b8c9d0e1f',
    ' 5f1b2c3d4e5f6a7b8c9d0e1',
  ])('rejects %j', (value) => {
    expect(parseOid(value)).toBeNull();
  });
});

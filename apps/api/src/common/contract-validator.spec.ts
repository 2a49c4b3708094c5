import { Type } from '@sinclair/typebox';
import { ContractValidator } from './contract-validator';

describe('ContractValidator', () => {
  it('names a problem for a value that fails only where null is the one thing allowed', () => {
    // ajv reports that as a `type: null` error alone, which problems() leaves out of unions' explanations.
    const validator = new ContractValidator(Type.Object({ gone: Type.Optional(Type.Null()) }));
    expect(validator.problems({})).toEqual([]);
    expect(validator.problems({ gone: null })).toEqual([]);
    expect(validator.problems({ gone: 'x' })).toEqual(['gone must be null']);
    expect(() => validator.parse({ gone: 1 })).toThrow('gone must be null');
  });
});

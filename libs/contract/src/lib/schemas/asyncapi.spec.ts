import { Parser } from '@asyncapi/parser';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { parseSubscribeLogRefusal, WS_EVENTS } from '../events';
import { asyncApiDocument } from './asyncapi';

const ROOT = join(__dirname, '../../../../..');
const FILE = join(ROOT, 'docs/asyncapi.yaml');
const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

describe('docs/asyncapi.yaml, the WebSocket protocol', () => {
  const generated = asyncApiDocument(VERSION);

  // UPDATE_ASYNCAPI=1 npx nx test contract  rewrites the file after a change to the event map.
  beforeAll(() => {
    if (process.env['UPDATE_ASYNCAPI'] !== '1') return;
    const header = '# Generated from @zen/contract (libs/contract/src/lib/schemas/asyncapi.ts): do not edit.\n';
    writeFileSync(FILE, header + stringify(generated, { aliasDuplicateObjects: false }));
    execFileSync(join(ROOT, 'node_modules/.bin/prettier'), ['--write', FILE]);
  });

  it('is the document generated from the contract event map (regenerate with UPDATE_ASYNCAPI=1)', () => {
    expect(parse(readFileSync(FILE, 'utf8'))).toEqual(generated);
  });

  it('describes every event of the contract, in both directions', () => {
    const names = Object.values(generated.channels.live.messages).map((message) => message.name);
    expect(names.sort()).toEqual(Object.values(WS_EVENTS).sort());
  });

  it('gives every message examples, each a frame its own payload schema takes', () => {
    const ajv = new Ajv({ strict: false, allErrors: true });
    addFormats(ajv);
    for (const message of Object.values(generated.channels.live.messages)) {
      const validate = ajv.compile(message.payload);
      expect([message.name, message.examples.length > 0]).toEqual([message.name, true]);
      for (const example of message.examples) {
        const problems = validate(example.payload) ? [] : validate.errors;
        expect([message.name, example.name, problems]).toEqual([message.name, example.name, []]);
      }
    }
  });

  it("words the error examples of refused subscriptions as the contract's parser reads them", () => {
    const examples = generated.channels.live.messages['error'].examples.map(
      (example) => (example.payload.data as { message: string }).message,
    );
    expect(examples.map((message) => parseSubscribeLogRefusal(message)?.reason ?? null)).toEqual([
      'not found',
      'not subscribed',
      null,
    ]);
  });

  it('is valid AsyncAPI 3 for the standard parser, without errors', async () => {
    const { document, diagnostics } = await new Parser().parse(readFileSync(FILE, 'utf8'));
    const errors = diagnostics.filter((diagnostic) => diagnostic.severity === 0);
    expect(errors.map((error) => `${error.path.join('.')}: ${error.message}`)).toEqual([]);
    expect(document?.channels().get('live')?.address()).toBe('/sessions/ws');
    expect(
      document
        ?.operations()
        .all()
        .map((operation) => operation.action()),
    ).toEqual(expect.arrayContaining(['send', 'receive']));
  });
});

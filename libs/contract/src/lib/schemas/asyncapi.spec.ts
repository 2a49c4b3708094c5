import { Parser } from '@asyncapi/parser';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { WS_EVENTS } from '../events';
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

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { notExecutableReason, notFoundReason } from './start-failure';

describe('notFoundReason (why a command was not found, ENOENT)', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'zen-not-found-'));
    writeFileSync(join(dir, 'crlf.sh'), '#!/bin/sh\r\necho hi\r\n', { mode: 0o755 });
    writeFileSync(join(dir, 'gone.sh'), '#! /no/such/interpreter -e\necho hi\n', { mode: 0o755 });
    writeFileSync(join(dir, 'binary'), '\x7fELF\x02\x01\x01', { mode: 0o755 });
    writeFileSync(join(dir, 'plain.sh'), '#!/bin/sh\necho hi\n', { mode: 0o644 });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('says command not found when no such file is at the path given or on the PATH', () => {
    expect(notFoundReason(join(dir, 'missing'))).toBe('command not found');
    expect(notFoundReason('missing', dir)).toBe('command not found');
    expect(notFoundReason('', dir)).toBe('command not found');
    // On the PATH but not executable: execvp passes it by.
    expect(notFoundReason('plain.sh', dir)).toBe('command not found');
  });

  it('names the interpreter of a #! line that is missing, and a Windows line ending in it', () => {
    expect(notFoundReason(join(dir, 'crlf.sh'))).toBe(
      'its interpreter "/bin/sh\\r" (the \\r of a Windows line ending), named by its #! line, was not found',
    );
    expect(notFoundReason('gone.sh', `/no/such/dir::${dir}`)).toBe(
      'its interpreter "/no/such/interpreter", named by its #! line, was not found',
    );
  });

  it('says a file without a #! line lacks its loader', () => {
    expect(notFoundReason('binary', dir)).toBe('required file not found: the loader or interpreter it needs');
  });
});

describe('notExecutableReason (why a command that is there cannot run, EACCES)', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'zen-not-executable-'));
    mkdirSync(join(dir, 'build'));
    writeFileSync(join(dir, 'plain.sh'), 'echo hi\n', { mode: 0o644 });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('says a directory is one, at the path given or on the PATH (the file found named)', () => {
    expect(notExecutableReason(join(dir, 'build'))).toBe('it is a directory');
    expect(notExecutableReason('build', `/no/such/dir:${dir}`)).toBe(`${join(dir, 'build')} is a directory`);
  });

  it('says a file has no execute permission', () => {
    expect(notExecutableReason(join(dir, 'plain.sh'))).toBe('permission denied: it has no execute permission');
    expect(notExecutableReason('plain.sh', dir)).toBe(
      `permission denied: ${join(dir, 'plain.sh')} has no execute permission`,
    );
  });

  it('says permission denied when it cannot tell more', () => {
    expect(notExecutableReason(join(dir, 'missing'))).toBe('permission denied');
    expect(notExecutableReason('missing', dir)).toBe('permission denied');
  });
});

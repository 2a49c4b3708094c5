import {
  LogNotFoundError,
  LogStoreError,
  SessionEndedError,
  SessionNotFoundError,
  ServerSessionError,
  TooManySessionsError,
} from './errors';

describe('LogStoreError', () => {
  it('names each error after its class and states the problem with the session id', () => {
    const id = 'abcdefabcdefabcdefabcdef';
    const errors = [
      new SessionNotFoundError(id),
      new LogNotFoundError(id),
      new SessionEndedError(id),
      new ServerSessionError(id),
    ];
    for (const error of errors) {
      expect(error).toBeInstanceOf(LogStoreError);
      expect(error.name).toBe(error.constructor.name);
      expect(error.message).toContain(id);
    }
    expect(new SessionEndedError(id).message).toBe(`session ${id} has ended; a new session needs a new id`);
    expect(new TooManySessionsError(3).message).toBe('the server already holds 3 active sessions (MAX_SESSIONS)');
  });
});

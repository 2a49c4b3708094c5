import { shownUrl } from './shown-url';

describe('shownUrl', () => {
  it('hides a password given in the URL, keeping the user name and the rest as given', () => {
    expect(shownUrl('https://ci:s3cr%40t@proxy.example/zen/sessions/x?cursor=0')).toBe(
      'https://ci:***@proxy.example/zen/sessions/x?cursor=0',
    );
    expect(shownUrl('ws://ci:secret@127.0.0.1:8558/sessions/ws')).toBe('ws://ci:***@127.0.0.1:8558/sessions/ws');
  });

  it('hides all of a password typed with an @ in it, as the URL parser reads it (up to the last @)', () => {
    expect(shownUrl('https://ci:p@ss@proxy.example/zen')).toBe('https://ci:***@proxy.example/zen');
    expect(shownUrl('https://ci@corp:p@ss@proxy.example:8443/zen')).toBe('https://ci@corp:***@proxy.example:8443/zen');
  });

  it('leaves a URL without a password as it is', () => {
    for (const url of [
      'http://127.0.0.1:8558',
      'https://ci@proxy/zen',
      'https://ci@proxy:8443/zen',
      'http://host/a:b@c',
      'not a url',
    ]) {
      expect(shownUrl(url)).toBe(url);
    }
  });
});

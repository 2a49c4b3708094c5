import {
  formatSubscribeLogRefusal,
  isSubscriptionLimitWhy,
  parseSubscribeLogRefusal,
  SubscribeLogRefusal,
  subscriptionLimitWhy,
} from './events';

const ID = '5f1b2c3d4e5f6a7b8c9d0e1f';

describe('the refusal of a subscribe-log', () => {
  it('is written in the words API.md and the clients know', () => {
    expect(formatSubscribeLogRefusal({ id: ID, reason: 'not found' })).toBe(`subscribe-log: session ${ID} not found`);
    expect(
      formatSubscribeLogRefusal({ id: ID, reason: 'not subscribed', why: 'the session store is unavailable' }),
    ).toBe(`subscribe-log: session ${ID} not subscribed: the session store is unavailable`);
  });

  it.each<SubscribeLogRefusal>([
    { id: ID, reason: 'not found' },
    { id: ID, reason: 'not subscribed', why: 'the session store is unavailable: connect ECONNREFUSED' },
    { id: ID, reason: 'not subscribed', why: 'a reason\nover two lines: with colons' },
    { id: ID, reason: 'not subscribed', why: '' },
  ])('reads back what it wrote: %j', (refusal) => {
    expect(parseSubscribeLogRefusal(formatSubscribeLogRefusal(refusal))).toEqual(refusal);
  });

  it('takes an id in capitals (the server lower-cases, but an OID may be either) and gives it lower-case', () => {
    expect(parseSubscribeLogRefusal(`subscribe-log: session ${ID.toUpperCase()} not found`)).toEqual({
      id: ID,
      reason: 'not found',
    });
    expect(formatSubscribeLogRefusal({ id: ID.toUpperCase(), reason: 'not found' })).toBe(
      `subscribe-log: session ${ID} not found`,
    );
  });

  it.each([
    'subscribe-log: session 0123 not found',
    `subscribe-log: session ${ID}0 not found`,
    `subscribe-log: session ${ID} not found, or was it`,
    `subscribe-log: session ${ID} not subscribed`,
    `unsubscribe-log: session ${ID} not found`,
    ` subscribe-log: session ${ID} not found`,
    'data.id must be a session id',
    `session ${ID} not found`,
  ])('is not read into any other message: %j', (message) => {
    expect(parseSubscribeLogRefusal(message)).toBeNull();
  });
});

describe('the refusal of a subscribe-log past WS_MAX_SUBSCRIPTIONS', () => {
  it('names the limit, and is told from the store s refusals by the clients', () => {
    const why = subscriptionLimitWhy(1000, 1000);
    expect(why).toBe(
      'this connection follows 1000 sessions, the most WS_MAX_SUBSCRIPTIONS (1000) allows; unsubscribe-log one first',
    );
    const refusal = parseSubscribeLogRefusal(formatSubscribeLogRefusal({ id: ID, reason: 'not subscribed', why }));
    expect(refusal?.reason === 'not subscribed' && isSubscriptionLimitWhy(refusal.why)).toBe(true);
    expect(
      isSubscriptionLimitWhy('the session store (Redis at 127.0.0.1:6379) is unavailable: WS_MAX_SUBSCRIPTIONS'),
    ).toBe(false);
  });
});

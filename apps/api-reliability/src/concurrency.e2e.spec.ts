import { BuiltServer, JSON_HEADERS, oid } from '@zen/testing';

describe('concurrency (real server)', () => {
  let server: BuiltServer;
  beforeAll(async () => (server = await BuiltServer.start({ LOG_CAPACITY: '100000', MAX_BATCH_ENTRIES: '100000' })));
  afterAll(() => server.stop());

  const create = (id: string) =>
    fetch(`${server.url}/sessions/${id}`, { method: 'POST', headers: JSON_HEADERS, body: '{"appname":"c"}' });
  const append = (id: string, messages: string[]) =>
    fetch(`${server.url}/sessions/${id}/log`, {
      method: 'POST',
      headers: JSON_HEADERS,
      body: JSON.stringify({ entries: messages.map((message) => ({ message })) }),
    });
  const readAll = async (id: string) =>
    (await (await fetch(`${server.url}/sessions/${id}/log?cursor=0&limit=10000`)).json()).entries as {
      seq: number;
      message: string;
    }[];

  it('loses and duplicates nothing when many clients append to one session and to many at once, while sessions come and go', async () => {
    const shared = oid(0xe0);
    const others = Array.from({ length: 50 }, (_, i) => oid(0xe100 + i));
    await Promise.all([shared, ...others].map(create));
    const work: Promise<unknown>[] = [];
    for (let client = 0; client < 40; client++) {
      for (let request = 0; request < 5; request++) {
        // Each request's entries name their client and request, in order.
        const messages = Array.from({ length: 10 }, (_, k) => `c${client}-r${request}-e${k}`);
        work.push(append(shared, messages).then((res) => expect(res.status).toBe(200)));
        work.push(
          append(others[(client + request) % others.length], messages).then((res) => expect(res.status).toBe(200)),
        );
      }
      // Sessions created and ended meanwhile.
      work.push(
        create(oid(0xf000 + client)).then(() =>
          fetch(`${server.url}/sessions/${oid(0xf000 + client)}`, { method: 'DELETE' }),
        ),
      );
    }
    await Promise.all(work);

    const entries = await readAll(shared);
    expect(entries).toHaveLength(40 * 5 * 10);
    expect(entries.map((entry) => entry.seq)).toEqual(Array.from({ length: 2000 }, (_, i) => i));
    expect(new Set(entries.map((entry) => entry.message)).size).toBe(2000);
    // Every request's ten entries are contiguous and in order.
    for (let i = 0; i < entries.length; i += 10) {
      const [prefix] = entries[i].message.split('-e');
      expect(entries.slice(i, i + 10).map((entry) => entry.message)).toEqual(
        Array.from({ length: 10 }, (_, k) => `${prefix}-e${k}`),
      );
    }
    const otherTotal = (await Promise.all(others.map(readAll))).reduce((sum, list) => sum + list.length, 0);
    expect(otherTotal).toBe(2000);
    const ended = (await (await fetch(`${server.url}/sessions/?status=ended`)).json()).sessions;
    expect(ended).toHaveLength(40);
  });

  it('keeps exactly the appends acknowledged before an end; later ones get 409', async () => {
    const id = oid(0xe1);
    await create(id);
    const answers: { status: number; cursor?: number; message: string }[] = [];
    let ended = false;
    const appending = (async () => {
      for (let i = 0; i < 400; i++) {
        const res = await append(id, [`n${i}`]);
        const body = await res.json();
        answers.push({ status: res.status, cursor: body.cursor, message: `n${i}` });
        if (ended && res.status === 409) break;
      }
    })();
    const parallel = Array.from({ length: 4 }, (_, worker) =>
      (async () => {
        for (let i = 0; i < 100; i++) {
          const res = await append(id, [`w${worker}-${i}`]);
          answers.push({ status: res.status, cursor: (await res.json()).cursor, message: `w${worker}-${i}` });
          if (res.status === 409) break;
        }
      })(),
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    const end = await fetch(`${server.url}/sessions/${id}`, { method: 'DELETE' });
    ended = true;
    const final = await end.json();
    await Promise.all([appending, ...parallel]);
    expect(answers.every((answer) => answer.status === 200 || answer.status === 409)).toBe(true);
    const accepted = answers.filter((answer) => answer.status === 200);
    expect(final.logCursor).toBe(accepted.length);
    // Which ones: each acknowledged append's entry, at the seq its answer's cursor points past; no other.
    const acknowledged = accepted
      .map((answer) => ({ seq: (answer.cursor as number) - 1, message: answer.message }))
      .sort((a, b) => a.seq - b.seq);
    expect((await readAll(id)).map(({ seq, message }) => ({ seq, message }))).toEqual(acknowledged);
    expect(answers.some((answer) => answer.status === 409)).toBe(true);
  });
});

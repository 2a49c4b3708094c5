import { WsTestClient } from '@zen/testing';

/** The entry numbers of the `log` events of session `id` the client received, in order. */
export const seqs = (client: WsTestClient, id: string) =>
  client
    .of('log')
    .filter((event) => event.id === id)
    .flatMap((event) => event.entries.map((entry) => entry.seq));

/** The messages of the `error` events the client received, in order. */
export const errors = (client: WsTestClient) => client.of('error').map((error) => error.message);

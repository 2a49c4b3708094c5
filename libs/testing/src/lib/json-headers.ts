/** Headers of a request with a JSON body. */
export const JSON_HEADERS = { 'content-type': 'application/json' };

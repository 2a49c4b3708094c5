/** Every error response of the API has this shape. */
export interface ErrorResponse {
  statusCode: number;
  /** The HTTP reason phrase, e.g. "Bad Request". */
  error: string;
  /** What was wrong, for a human; several strings when several fields are wrong. */
  message: string | string[];
}

import { BadRequestException, Injectable, PipeTransform } from '@nestjs/common';
import { parseOid } from '@zen/contract';

/** Validates an `{id}` path segment and normalises it to lower case. */
@Injectable()
export class OidPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    return sessionIdParam(value);
  }
}

/** The normalised session id of an `{id}` path segment, or a 400 naming what was sent. */
export function sessionIdParam(value: string | undefined): string {
  const id = value === undefined ? null : parseOid(value);
  if (id === null) throw new BadRequestException(invalidIdMessage(value));
  return id;
}

function invalidIdMessage(value: unknown): string {
  const shown = typeof value === 'string' && value.length > 64 ? `${value.slice(0, 64)}…` : value;
  return `invalid session id ${JSON.stringify(shown)}: expected 24 hexadecimal characters`;
}

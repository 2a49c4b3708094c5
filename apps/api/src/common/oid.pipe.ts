import { BadRequestException, Injectable, PipeTransform } from '@nestjs/common';
import { parseOid } from '@zen/contract';

/** Validates an `{id}` path segment and normalises it to lower case. */
@Injectable()
export class OidPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    const id = parseOid(value);
    if (id === null) throw new BadRequestException(invalidIdMessage(value));
    return id;
  }
}

export function invalidIdMessage(value: unknown): string {
  const shown = typeof value === 'string' && value.length > 64 ? `${value.slice(0, 64)}…` : value;
  return `invalid session id ${JSON.stringify(shown)}: expected 24 hexadecimal characters`;
}

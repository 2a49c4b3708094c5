import { BadRequestException } from '@nestjs/common';
import { Limits, SessionMetadata } from '@zen/contract';
import { IsObject, IsString, ValidateBy, ValidateIf, validateSync } from 'class-validator';

/** Validated changes to a session: absent fields are undefined; `jobid: null` clears it. */
export interface SessionChanges {
  appname?: string;
  mode?: string;
  jobid?: string | null;
  metadata?: SessionMetadata;
}

/** Checks session bodies against the configured limits (built once per server). */
export class SessionInputValidator {
  private readonly dto: new () => SessionInputDto;

  constructor(private readonly limits: Limits) {
    this.dto = sessionInputClass(limits);
  }

  /** Parses a create/update body; `undefined` is the empty body. */
  parse(body: unknown, creating: boolean): SessionChanges {
    const input = body === undefined ? {} : body;
    if (!isPlainObject(input)) throw new BadRequestException('request body must be a JSON object');
    if (creating && input['appname'] === undefined) throw new BadRequestException('appname is required');
    const dto = Object.assign(new this.dto(), {
      appname: input['appname'],
      mode: input['mode'],
      jobid: input['jobid'],
      metadata: input['metadata'],
    });
    const messages = validateSync(dto, { stopAtFirstError: true }).flatMap((error) =>
      Object.values(error.constraints ?? {}),
    );
    if (messages.length > 0) throw new BadRequestException(messages.length === 1 ? messages[0] : messages);
    return {
      appname: dto.appname as string | undefined,
      mode: (dto.mode ?? undefined) as string | undefined,
      jobid: dto.jobid as string | null | undefined,
      metadata: dto.metadata == null ? undefined : copyMetadata(dto.metadata as SessionMetadata),
    };
  }

  /** Merges `changes` into `stored` metadata, checking the limits on the result. */
  merge(stored: SessionMetadata, changes: SessionMetadata): SessionMetadata {
    const merged = copyMetadata(stored);
    for (const key of Object.keys(changes)) merged[key] = changes[key];
    const problem = metadataProblem(merged, this.limits);
    if (problem) throw new BadRequestException(`${problem} after merging with the stored metadata`);
    return merged;
  }
}

interface SessionInputDto {
  appname?: unknown;
  mode?: unknown;
  jobid?: unknown;
  metadata?: unknown;
}

// The limits are configuration, so the decorated class is made per server.
// class-validator checks a property's decorators bottom-up: the type check comes last here.
function sessionInputClass(limits: Limits): new () => SessionInputDto {
  class SessionInput implements SessionInputDto {
    // appname may be absent (an update), but never null.
    @ValidateIf((o: SessionInput) => o.appname !== undefined)
    @CodeUnits(1, limits.appnameMaxChars)
    @IsString()
    appname?: unknown;

    @ValidateIf((o: SessionInput) => o.mode != null)
    @CodeUnits(0, limits.modeMaxChars)
    @IsString()
    mode?: unknown;

    @ValidateIf((o: SessionInput) => o.jobid != null)
    @CodeUnits(0, limits.jobidMaxChars)
    @IsString()
    jobid?: unknown;

    @ValidateIf((o: SessionInput) => o.metadata != null)
    @WithinMetadataLimits(limits)
    @IsObject()
    metadata?: unknown;
  }
  return SessionInput;
}

/** String length in UTF-16 code units, as the contract counts characters. */
function CodeUnits(min: number, max: number): PropertyDecorator {
  return ValidateBy({
    name: 'codeUnits',
    constraints: [min, max],
    validator: {
      validate: (value) => typeof value === 'string' && value.length >= min && value.length <= max,
      defaultMessage: (args) =>
        min > 0
          ? `${args?.property} must be ${min}–${max} characters long`
          : `${args?.property} must be at most ${max} characters long`,
    },
  });
}

function WithinMetadataLimits(limits: Limits): PropertyDecorator {
  return ValidateBy({
    name: 'metadataLimits',
    validator: {
      validate: (value) => metadataProblem(value as object, limits) === null,
      defaultMessage: (args) => metadataProblem(args?.value as object, limits) ?? 'metadata is invalid',
    },
  });
}

export function metadataProblem(metadata: object, limits: Limits): string | null {
  const keys = Object.keys(metadata);
  if (keys.length > limits.metadataMaxKeys) {
    return `metadata has ${keys.length} keys; at most ${limits.metadataMaxKeys} are allowed`;
  }
  const badKey = keys.find((key) => key.length < 1 || key.length > limits.metadataKeyMaxChars);
  if (badKey !== undefined) {
    return `metadata keys must be 1–${limits.metadataKeyMaxChars} characters long (got ${badKey.length})`;
  }
  const bytes = jsonBytes(metadata);
  if (bytes === null) return 'metadata is nested too deeply to serialise';
  if (bytes > limits.metadataMaxBytes) {
    return `metadata is ${bytes} bytes serialised; at most ${limits.metadataMaxBytes} are allowed`;
  }
  return null;
}

/** UTF-8 size of the value as JSON, or null when it cannot be serialised (too deep). */
export function jsonBytes(value: unknown): number | null {
  try {
    return Buffer.byteLength(JSON.stringify(value));
  } catch {
    return null;
  }
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Copies into a null-prototype object, so that no key can reach Object.prototype. */
function copyMetadata(source: SessionMetadata): SessionMetadata {
  const copy: SessionMetadata = Object.create(null);
  for (const key of Object.keys(source)) copy[key] = source[key];
  return copy;
}

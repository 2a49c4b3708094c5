import { SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { LOG_LEVELS } from '@zen/contract';

// JSON schemas of the contract's shapes for the OpenAPI document. The TypeScript
// types in @zen/contract are interfaces, which Swagger cannot see at run time.

const time: SchemaObject = { type: 'string', format: 'date-time', example: '2026-11-24T12:00:00.000Z' };
const oid: SchemaObject = { type: 'string', pattern: '^[0-9a-fA-F]{24}$', example: '5f1b2c3d4e5f6a7b8c9d0e1f' };

export const SESSION: SchemaObject = {
  type: 'object',
  properties: {
    id: oid,
    appname: { type: 'string', example: 'UnrealEditor' },
    mode: { type: 'string', example: 'editor' },
    jobid: { type: 'string', nullable: true, example: 'build-4711' },
    metadata: { type: 'object', additionalProperties: true, example: { project: 'Lyra' } },
    status: { type: 'string', enum: ['active', 'ended'] },
    created: time,
    updated: time,
    ended: { ...time, nullable: true },
    endReason: { type: 'string', enum: ['deleted', 'expired'], nullable: true },
    logCount: { type: 'integer' },
    logCursor: { type: 'integer' },
    warnCount: { type: 'integer' },
    errorCount: { type: 'integer' },
    clientAddress: { type: 'string', nullable: true },
  },
};

export const SESSION_LIST: SchemaObject = {
  type: 'object',
  properties: { sessions: { type: 'array', items: SESSION }, serverSessionId: oid },
};

export const SESSION_INPUT: SchemaObject = {
  type: 'object',
  properties: {
    appname: { type: 'string', minLength: 1, maxLength: 256 },
    mode: { type: 'string', maxLength: 256, nullable: true },
    jobid: { type: 'string', maxLength: 256, nullable: true },
    metadata: { type: 'object', additionalProperties: true, nullable: true },
  },
};

const LOG_ENTRY: SchemaObject = {
  type: 'object',
  properties: {
    seq: { type: 'integer' },
    time,
    level: { type: 'string', enum: [...LOG_LEVELS] },
    message: { type: 'string' },
    data: { type: 'object', additionalProperties: true },
  },
};

const LOG_ENTRY_INPUT: SchemaObject = {
  type: 'object',
  required: ['message'],
  properties: {
    message: { type: 'string' },
    level: { type: 'string', enum: [...LOG_LEVELS], nullable: true },
    data: { type: 'object', additionalProperties: true, nullable: true },
    time: { ...time, nullable: true },
  },
};

export const LOG_APPEND_INPUT: SchemaObject = {
  oneOf: [
    LOG_ENTRY_INPUT,
    { type: 'object', required: ['entries'], properties: { entries: { type: 'array', items: LOG_ENTRY_INPUT } } },
  ],
};

export const LOG_PAGE: SchemaObject = {
  type: 'object',
  description: 'Cursor mode: entries, cursor, dropped. Offset mode: entries, total, offset, limit, cursor.',
  properties: {
    entries: { type: 'array', items: LOG_ENTRY },
    cursor: { type: 'integer' },
    dropped: { type: 'integer' },
    total: { type: 'integer' },
    offset: { type: 'integer' },
    limit: { type: 'integer' },
  },
};

export const APPEND_RESULT: SchemaObject = {
  type: 'object',
  properties: { appended: { type: 'integer' }, cursor: { type: 'integer' } },
};

export const ERROR: SchemaObject = {
  type: 'object',
  properties: {
    statusCode: { type: 'integer' },
    error: { type: 'string' },
    message: { oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] },
  },
};

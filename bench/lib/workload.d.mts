// Types of workload.mjs, for the tests that reuse the bench's generated events as a corpus.
export function makeEvent(executionId: string, seq: number, length: number, ts: number): Record<string, unknown>;
export function shortBatch(prefix: string, requestIndex: number, now?: number): Uint8Array;
export function longBatch(executionId: string, batchIndex: number, now?: number, length?: number): Uint8Array;
export const SHORT_LENGTH: number;
export const LONG_LENGTH: number;
export const BATCH: number;
export function batchesPerLongExecution(length?: number): number;

/**
 * What a repository's save did:
 * - `saved`: state and pending events written together.
 * - `unchanged`: nothing to write (the command was a no-op).
 * - `duplicate`: the cause (`trace.causationId`) was already applied: nothing written.
 */
export type SaveResult = 'saved' | 'unchanged' | 'duplicate';

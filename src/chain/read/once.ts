/**
 * The one rule for the events a read looks up by key. Each of them is emitted at
 * most once per key on a chain, which the contracts enforce:
 *
 * - JobRequested, once per job: job ids are handed out once, by the request.
 * - RootsPosted, once per job: `postRoots` requires `rootsPostedAt == 0`
 *   (RootsAlreadyPosted) and nothing ever resets it.
 * - WholeRevealed, once per challenge: only in AwaitWhole, which it leaves for good.
 * - ChildrenRevealed, once per anchor (level, index) of a challenge: each
 *   `chooseChild` moves the anchor to a lower level, so no anchor comes back.
 *
 * So such a query takes the only matching log. More than one is not a choice to
 * make but a broken assumption (a changed contract, or an endpoint answering from
 * two forks at once): the query throws DuplicateEventError rather than pick one.
 */

/** A query for an event emitted at most once per key found it more than once. */
export class DuplicateEventError extends Error {
  override readonly name = "DuplicateEventError";
  constructor(
    readonly event: string,
    readonly key: string,
    readonly count: number,
  ) {
    super(`${count} ${event} events for ${key}: the contracts emit it at most once`);
  }
}

/** The only log of `logs` (undefined when none); throws DuplicateEventError for more than one. */
export function onlyLog<L>(logs: readonly L[], event: string, key: string): L | undefined {
  if (logs.length > 1) throw new DuplicateEventError(event, key, logs.length);
  return logs[0];
}

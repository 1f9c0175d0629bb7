import { flushSync } from "react-dom";

/**
 * Applies `update` (React state setters) and commits it to the DOM before returning, then runs
 * `then` on the committed DOM, e.g. to move the focus or a caret. Call it from an event handler,
 * never from render. Unlike a requestAnimationFrame callback, nothing the user types next can
 * land before `then` runs: a deferred focus could move the caret into another field mid-typing.
 */
export function commitThen(update: () => void, then: () => void): void {
  flushSync(update);
  then();
}

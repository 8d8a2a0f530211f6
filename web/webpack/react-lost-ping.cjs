// A webpack loader for the React that Next.js 15 bundles into the browser (19.2): a Suspense
// "ping" that arrives while React is rendering the lane it wakes is dropped there, so a transition
// that suspended on a streamed Flight chunk (a Server Action's re-rendered page) is never retried
// although the chunk has arrived: the page keeps its old content and `useActionState` stays pending
// until some other update happens. Seen on the model page, about one action in ten on a busy
// machine. React's later releases record such a ping for the render's end instead; this applies
// that same change to the bundled copy at build time. A file already in the fixed form passes
// through unchanged; a reconciler in any other form fails the build rather than ship unrepaired.
"use strict";

/** The branch of pingSuspendedRoot that drops the ping inside the render phase (production and
 * development spellings of "not rendering now"). */
const DROPPED =
  /(0 === \(executionContext & 2\)|\(executionContext & RenderContext\) === NoContext)\s*&&\s*prepareFreshStack\(root, 0\)(\s*):\s*\(workInProgressRootPingedLanes \|= pingedLanes\)/g;
/** The same branch once fixed: the ping is kept for the end of the render. */
const KEPT = /\?\s*prepareFreshStack\(root, 0\)\s*:\s*\(workInProgressRootPingedLanes \|= pingedLanes\)/;

/** `source` with the ping kept; `path` names the file in the error when it cannot be. */
function keepRenderPhasePings(source, path) {
  if (!source.includes("function pingSuspendedRoot(")) {
    return source;
  }
  const found = source.match(DROPPED) ?? [];
  if (found.length === 0 && KEPT.test(source)) {
    return source;
  }
  if (found.length !== 1) {
    throw new Error(
      `react-lost-ping: expected pingSuspendedRoot's render-phase branch once in ${path}, found it ${found.length} times; ` +
        "the bundled React changed: check whether it still drops a ping that arrives while rendering, then update or remove this loader",
    );
  }
  return source.replace(
    DROPPED,
    (_, notRendering, space) =>
      `(${notRendering} ? prepareFreshStack(root, 0) : (workInProgressRootPingedLanes |= pingedLanes))${space}: (workInProgressRootPingedLanes |= pingedLanes)`,
  );
}

module.exports = function reactLostPing(source) {
  return keepRenderPhasePings(source, this.resourcePath);
};
module.exports.keepRenderPhasePings = keepRenderPhasePings;
/** The files the loader is for: the browser's React DOM client, the copy inside Next.js (the App
 * Router's) and the app's own (Next's framework chunk). */
module.exports.BUNDLED_REACT_DOM_CLIENT =
  /[\\/](next[\\/]dist[\\/]compiled[\\/])?react-dom[\\/]cjs[\\/]react-dom-(client|profiling)\.[a-z]+\.js$/;

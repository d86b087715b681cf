// node --import this file: prints, on stderr, a line per JavaScript file the process loads (ES
// modules through a loader hook, CommonJS through Module.prototype._compile). test/startup.test.ts.
import Module, { register } from 'node:module'

register(
  'data:text/javascript,' +
    encodeURIComponent(
      "import { fileURLToPath } from 'node:url'; export async function load(url, ctx, next) { if (url.startsWith('file:')) process._rawDebug('loaded-file ' + fileURLToPath(url)); return next(url, ctx) }",
    ),
)
const compile = Module.prototype._compile
Module.prototype._compile = function (content, filename) {
  process._rawDebug('loaded-file ' + filename)
  return compile.call(this, content, filename)
}

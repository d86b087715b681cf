/** `npx llmbench` at the root of this repository runs the examples, with their configuration. */
export { default } from './examples/llmbench.config.js'

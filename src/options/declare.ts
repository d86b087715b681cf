/**
 * How an option is declared: a Zod schema (its type and its checks) with the facts every other
 * form of the option is derived from: description, default, unit, secrecy and command-line flags
 * (derive.ts, flags.ts, json-schema.ts, docs.ts read them; nothing else restates them).
 */
import * as z from 'zod'

/** Turns a flag's text (its raw value, for `raw` flags) into the option's value; throws an Error whose message follows the flag's name. */
export type FlagParser = (text: string) => unknown

/** Other flags a flag needs (any one of them) or cannot be given with, and what to say. */
export interface FlagRule {
  flags: readonly string[]
  /** Follows the flag's name: `only applies with --sweep`. */
  message: string
}

export type Command = 'run' | 'bench' | 'merge'

export interface FlagDecl {
  /** Kebab-case, without dashes: `num-prompts`. */
  name: string
  alias?: string
  /** Where in the option the flag writes (`tokens`, `filters.minInput`); default the option itself. */
  path?: string
  /** Text to value; default: read as the schema at `path` expects (numbers, lists of numbers, strings, booleans). */
  parse?: FlagParser
  /** Flag value × scale = option value (seconds to milliseconds: 1000). */
  scale?: number
  /** The flag's unit, when it differs from the option's. */
  unit?: string
  /** Help text; default: the option's description. */
  describe?: string
  /** The default as help and docs show it, when the flag has one. */
  defaultText?: string
  /** The commands that take it; default `['run']`. */
  commands?: readonly Command[]
  /** The value text as docs show it: `--concurrency 1,10,50`. */
  placeholder?: string
  /** Set several times, the values accumulate (`--header`); otherwise the last one wins. */
  repeatable?: boolean
  requires?: FlagRule
  conflicts?: FlagRule
  /** Writes here only when this other flag is given (`given`) or not (`absent`): `--shuffle` of a dataset or of groups. */
  when?: { given?: string; absent?: string }
  /** Handed to `parse` (or kept) as yargs parsed it, not as text: `--outputFile.junit=x` is an object. */
  raw?: boolean
}

export interface OptionDoc {
  /** One line: the meaning in `--help`, doc tables and JSON Schema. */
  description: string
  /** The built-in default; resolution fills it in when no layer sets the option. */
  default?: unknown
  /** The default as docs show it, when it is not a plain value (`one per slot`, `$OPENAI_API_KEY`). */
  defaultText?: string
  /** Unit of numbers, as messages say it (`milliseconds`). */
  unit?: string
  /** `true`: never recorded anywhere; `'values'`: an object whose keys are recorded, never its values. */
  secret?: true | 'values'
  /** More for doc tables (markdown), e.g. a link to the page that explains it. */
  docs?: string
  /** What a message says the value must be, when the schema alone would say it poorly. */
  expected?: string
  flags?: readonly FlagDecl[]
  /** For an object: what a message says of an unknown key (after its name); default "did you mean". */
  unknownKey?: (key: string, guess?: string) => string
}

/** Declarations by schema: one entry per declared option (and per nested schema given an `expected`). */
export const declarations = z.registry<OptionDoc>()

/** An optional option: its schema, checked and typed by Zod, with the facts declared beside it. */
export function option<T extends z.ZodType>(schema: T, doc: OptionDoc): z.ZodOptional<T> {
  const s = schema.optional().meta({ description: doc.description })
  declarations.add(s, doc)
  return s
}

/** A nested schema with its own wording for messages (`a number or a list of numbers`). */
export function expecting<T extends z.ZodType>(schema: T, expected: string): T {
  const s = schema.meta({}) as T
  declarations.add(s, { description: '', expected })
  return s
}

/** The declaration of an object's key, if it has one. */
export function docOf(schema: z.ZodType | undefined): OptionDoc | undefined {
  return schema === undefined ? undefined : declarations.get(schema)
}

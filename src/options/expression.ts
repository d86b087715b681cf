/**
 * Threshold expressions of objectives, in the spirit of k6: `'< 800'`, `'<= 800'`, `'> 5'`,
 * `'>= 5'`, `'== 0'`. Whitespace is optional; values are plain numbers in the figure's own unit.
 */

export type Operator = '<' | '<=' | '>' | '>=' | '=='

/** An expression as a bench file writes it, so the editor catches `'800'` or `'< 800ms'`. */
export type ExpressionText = `${Operator} ${number}` | `${Operator}${number}`

export interface Expression {
  op: Operator
  value: number
  /** Normalized: `< 800`. */
  text: string
}

const NUMBER = '[+-]?(?:\\d+(?:\\.\\d*)?|\\.\\d+)(?:[eE][+-]?\\d+)?'
const FORM = new RegExp(`^\\s*(<=|>=|==|<|>)\\s*(${NUMBER})\\s*$`)
const WITH_UNIT = new RegExp(`^\\s*(<=|>=|==|<|>)\\s*(${NUMBER})\\s*([A-Za-z%/]+)\\s*$`)

/** Parses an expression; throws an Error whose message (to follow `key: `) says how to write it. */
export function parseExpression(text: unknown): Expression {
  if (typeof text !== 'string') {
    throw new Error(`${describe(text)} is not an expression: write a string such as '< 800'`)
  }
  const m = FORM.exec(text)
  if (m) {
    const op = m[1] as Operator
    const value = Number(m[2])
    return { op, value, text: `${op} ${m[2]}` }
  }
  const unit = WITH_UNIT.exec(text)
  if (unit) {
    throw new Error(
      `'${text}' has a unit (${unit[3]}); units are not allowed, values are in the figure's unit (ms for times): write '${unit[1]} ${unit[2]}'`,
    )
  }
  throw new Error(`'${text}' is not an expression: write an operator (<, <=, >, >=, ==) and a number, e.g. '< 800'`)
}

export function holds(actual: number, e: Pick<Expression, 'op' | 'value'>): boolean {
  switch (e.op) {
    case '<':
      return actual < e.value
    case '<=':
      return actual <= e.value
    case '>':
      return actual > e.value
    case '>=':
      return actual >= e.value
    case '==':
      return actual === e.value
  }
}

function describe(v: unknown): string {
  if (typeof v === 'number') return `${v}`
  if (v === undefined) return 'undefined'
  return JSON.stringify(v) ?? String(v)
}

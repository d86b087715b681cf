/** Flag texts of the request kinds (kinds.ts): image sizes, ranges and lists. Each throws an Error whose message follows the flag's name. */

const NUM = '(\\d+)(?:-(\\d+))?'
const SIZE = new RegExp(`^${NUM}x${NUM}$`, 'i')

/** `512x512` → { width: 512, height: 512 }; `256-1024x256-768` → ranges. */
export function imageSizeFlag(text: string): { width: number | [number, number]; height: number | [number, number] } {
  const m = SIZE.exec(text.trim())
  if (!m) throw new Error(`must be WIDTHxHEIGHT such as 512x512, or ranges such as 256-1024x256-768, got "${text}"`)
  const side = (a: string, b: string | undefined): number | [number, number] => (b === undefined ? Number(a) : [Number(a), Number(b)])
  return { width: side(m[1], m[2]), height: side(m[3], m[4]) }
}

/** `5` → 5; `2-8` → [2, 8]. */
export function rangeFlag(text: string): number | [number, number] {
  const m = /^\s*([0-9]*\.?[0-9]+)\s*(?:-\s*([0-9]*\.?[0-9]+)\s*)?$/.exec(text)
  if (!m) throw new Error(`must be a number of seconds such as 5, or a range such as 2-8, got "${text}"`)
  return m[2] === undefined ? Number(m[1]) : [Number(m[1]), Number(m[2])]
}

/** `a,b,c` → ['a', 'b', 'c']. */
export function listFlag(text: string): string[] {
  const items = text.split(',').map((s) => s.trim()).filter(Boolean)
  if (items.length === 0) throw new Error(`must list names separated by commas, e.g. sql-lora,chat-lora, got "${text}"`)
  return items
}

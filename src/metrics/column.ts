/** A growing column of numbers: the accumulators keep a few of these per level. */

/** A Float64Array that grows by doubling; `buf` is valid up to `length`. */
export class Column {
  buf: Float64Array
  length = 0
  constructor(capacity = 256) {
    this.buf = new Float64Array(capacity)
  }
  reserve(extra: number, cap = Infinity): void {
    const need = this.length + extra
    if (need <= this.buf.length) return
    const next = new Float64Array(Math.min(Math.max(need, this.buf.length * 2), Math.max(need, cap)))
    next.set(this.buf.subarray(0, this.length))
    this.buf = next
  }
  push(x: number): void {
    if (this.length === this.buf.length) this.reserve(1)
    this.buf[this.length++] = x
  }
  view(): Float64Array {
    return this.buf.subarray(0, this.length)
  }
}

// Floors point down: the dependency rules cover every folder of src/ (npm run check:deps enforces them).
import { readdirSync } from 'node:fs'
import { createRequire } from 'node:module'
import { describe, expect, it } from 'vitest'

const { FLOORS } = createRequire(import.meta.url)('../scripts/floors.cjs') as { FLOORS: string[][] }

describe('architecture', () => {
  it('gives every folder and top-level module of src/ a floor', () => {
    const names = readdirSync(new URL('../src', import.meta.url), { withFileTypes: true }).map((e) => e.name.replace(/\.ts$/, ''))
    const placed = new Set(FLOORS.flat())
    expect(names.filter((n) => !placed.has(n))).toEqual([])
  })
})

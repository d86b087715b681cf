/**
 * Which benches of a file run, as in Vitest: `.only` anywhere restricts the file to benches marked
 * `.only` or inside a describe marked `.only`; `.skip` (bench or describe) skips; todo stays todo;
 * with a name pattern, only benches whose id matches run.
 */
import type { CollectedBench, CollectedFile, CollectedSuite } from './collector.js'

export type PlannedMode = 'run' | 'skip' | 'todo'

export function planFile(file: CollectedFile, namePattern?: RegExp): Map<CollectedBench, PlannedMode> {
  const plan = new Map<CollectedBench, PlannedMode>()
  const visit = (suite: CollectedSuite, included: boolean, skipped: boolean): void => {
    for (const child of suite.children) {
      const inOnly = included || child.mode === 'only'
      if (child.kind === 'describe') {
        const excluded = file.hasOnly && !inOnly && !hasOnly(child)
        visit(child, inOnly, skipped || child.mode === 'skip' || excluded)
        continue
      }
      let mode: PlannedMode = 'run'
      if (child.mode === 'todo') mode = 'todo'
      else if (skipped || child.mode === 'skip') mode = 'skip'
      else if (file.hasOnly && !inOnly) mode = 'skip'
      else if (namePattern && child.id.search(namePattern) < 0) mode = 'skip'
      plan.set(child, mode)
    }
  }
  visit(file.root, false, false)
  return plan
}

function hasOnly(suite: CollectedSuite): boolean {
  return suite.children.some((c) => c.mode === 'only' || (c.kind === 'describe' && hasOnly(c)))
}

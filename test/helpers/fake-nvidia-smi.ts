/** A stand-in nvidia-smi (a shell script) that answers the CSV query with two H100s. */
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export const FAKE_GPU_CSV = '0, NVIDIA H100 80GB HBM3, 1234, 81559, 37, 45, 120.50\n1, NVIDIA H100 80GB HBM3, 10, 81559, 0, 33, 70.10\n'

export function fakeNvidiaSmi(csv = FAKE_GPU_CSV): string {
  const dir = mkdtempSync(join(tmpdir(), 'llmbench-gpu-'))
  const file = join(dir, 'nvidia-smi')
  writeFileSync(file, `#!/bin/sh\ncase "$*" in *--query-gpu=*) printf '%s' '${csv}' ;; *) exit 9 ;; esac\n`)
  chmodSync(file, 0o755)
  return file
}

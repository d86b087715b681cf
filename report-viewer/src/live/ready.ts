/** Marks the page drawn (two frames after the charts laid out), as the static report does: tests wait for it. */
export function markReady(): void {
  requestAnimationFrame(() =>
    requestAnimationFrame(() => {
      performance.mark('llmbench-ready')
      document.documentElement.dataset.ready = 'true'
    }),
  )
}

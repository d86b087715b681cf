/**
 * A raw TCP server on 127.0.0.1 that answers each HTTP request with exactly the bytes a test
 * writes, for tests of llmbench's HTTP/1.1 reader. Servers are tracked: `closeRawServers()` in an
 * afterEach destroys their sockets and closes them.
 */
import net from 'node:net'

/** Answers request number `requestNo` (counted over the server) on `socket`. */
export type Reply = (socket: net.Socket, requestNo: number) => unknown

const servers = new Set<net.Server>()
const sockets = new Set<net.Socket>()

export async function rawServer(reply: Reply) {
  const stats = { connections: 0, requests: 0 }
  /** Sockets still open, so a test can check that the client closed its connections. */
  const open = new Set<net.Socket>()
  const server = net.createServer((socket) => {
    stats.connections++
    sockets.add(socket)
    open.add(socket)
    socket.on('close', () => open.delete(socket))
    socket.on('error', () => {})
    socket.setNoDelay(true)
    let pending = ''
    socket.on('data', (d) => {
      pending += d.toString('latin1')
      for (;;) {
        const end = pending.indexOf('\r\n\r\n')
        if (end < 0) return
        const length = Number(/content-length: (\d+)/i.exec(pending.slice(0, end))?.[1] ?? 0)
        if (pending.length < end + 4 + length) return
        pending = pending.slice(end + 4 + length)
        void reply(socket, ++stats.requests)
      }
    })
  })
  await listen(server)
  return { url: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`, stats, open, server }
}

/** Listens on a free loopback port and tracks the server for closeRawServers(). */
export async function listen(server: net.Server): Promise<void> {
  servers.add(server)
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
}

export async function closeRawServers(): Promise<void> {
  for (const s of sockets) s.destroy()
  sockets.clear()
  await Promise.all([...servers].map((s) => new Promise((r) => s.close(r))))
  servers.clear()
}

// Load for the canvas latency benchmark; prints one JSON line:
//   {"latencies_ms": [...], "disconnects": n}
// node load.mjs updates <url> <room> <token|-> <seconds> <subscribers> <writes 0|1> <start epoch ms>
//     this process's share of the 100 subscribers, and with writes 1 the one yjs writer
//     (200 updates/s from the shared start time on); processes split the work, so that the
//     clients, which read every update, are not the bottleneck
// node load.mjs cursors <url> <room> <token|-> <seconds> <clients> <first> <start epoch ms>
//     clients first..first+clients-1 of the 50 that move their cursors at 20 Hz, from the
//     shared start time on (several processes split the 50, so that the clients themselves,
//     which re-send all presence they receive, are not the bottleneck)
// Times are epoch milliseconds (timeOrigin + now()), comparable across processes. The first
// WARMUP_SECONDS of each run are not measured (JIT, first statements, connection warm-up),
// for either server.
import WebSocket from 'ws'
import * as Y from 'yjs'
import { WebsocketProvider } from 'y-websocket'

// Each workload reads its own arguments after these.
const [workload, url, room, token, seconds, ...rest] = process.argv.slice(2)
const protocols = token === '-' ? [] : ['knowledge.v1', `bearer.${token}`]
const now = () => performance.timeOrigin + performance.now()
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))
const WARMUP_SECONDS = 1
const latencies = []
let disconnects = 0
let finishing = false

function provider () {
  const doc = new Y.Doc()
  const p = new WebsocketProvider(url, room, doc, {
    WebSocketPolyfill: WebSocket, protocols, disableBc: true, maxBackoffTime: 100000
  })
  p.on('connection-close', () => { if (!finishing) disconnects += 1 })
  return p
}

const synced = (p) => new Promise((resolve) => p.synced ? resolve() : p.once('sync', resolve))

async function updates () {
  // This process's share of the 100 subscribers, and the writer if `writes` is 1. Each update
  // carries its send time, so subscribers in other processes measure it (epoch ms, fixed width).
  const [count, writes, start] = rest.map(Number)
  const marker = Buffer.from('seq-')
  const subscribers = await Promise.all(Array.from({ length: count }, () => new Promise((resolve) => {
    const ws = new WebSocket(`${url}/${room}`, protocols)
    ws.on('message', (data) => {
      const at = data.indexOf(marker)
      if (at >= 0) {
        const seq = Number(data.subarray(at + 4, at + 12).toString())
        const sent = Number(data.subarray(at + 13, at + 30).toString())
        if (seq > WARMUP_SECONDS * 200) latencies.push(now() - sent)
      }
    })
    ws.on('close', () => { if (!finishing) disconnects += 1 })
    ws.on('open', () => resolve(ws))
  })))
  const writer = writes ? provider() : null
  if (writer) await synced(writer)
  if (start > now()) await sleep(start - now())
  if (writer) {
    const map = writer.doc.getMap('bench')
    const ticks = Number(seconds) * 200
    for (let seq = 1; seq <= ticks; seq++) {
      const due = start + seq * 5
      if (due > now()) await sleep(due - now())
      map.set('s', `seq-${String(seq).padStart(8, '0')}@${now().toFixed(3).padStart(17, '0')}`)
    }
  } else {
    await sleep(Number(seconds) * 1000 + 5)
  }
  await sleep(1000)
  finishing = true
  subscribers.forEach((ws) => ws.terminate())
  if (writer) writer.destroy()
}

async function cursors () {
  const [clientCount, first, start] = rest.map(Number)
  const clients = Array.from({ length: clientCount }, provider)
  await Promise.all(clients.map(synced))
  const seen = new Set()
  clients.forEach((p, local) => {
    const index = first + local
    p.awareness.setLocalStateField('user', `user${index}`)
    p.awareness.on('change', ({ added, updated }) => {
      const at = now()
      for (const id of added.concat(updated)) {
        if (id === p.doc.clientID) continue
        const cursor = p.awareness.getStates().get(id)?.cursor
        if (!cursor) continue
        const key = `${index}:${id}:${cursor.seq}`
        if (seen.has(key) || cursor.seq <= WARMUP_SECONDS * 20) continue
        seen.add(key)
        latencies.push(at - cursor.t)
      }
    })
  })
  if (start > now()) await sleep(start - now())
  const ticks = Number(seconds) * 20
  for (let tick = 1; tick <= ticks; tick++) {
    clients.forEach((p, local) => {
      const index = first + local
      // Spread the 50 clients over each 50 ms period, as independent people would be.
      const due = start + tick * 50 + index
      setTimeout(() => p.awareness.setLocalStateField('cursor', { seq: tick, x: tick, y: index, t: now() }),
        Math.max(0, due - now()))
    })
    const end = start + tick * 50
    if (end > now()) await sleep(end - now())
  }
  await sleep(1000)
  finishing = true
  clients.forEach((p) => p.destroy())
}

await (workload === 'updates' ? updates() : cursors())
// Exit once the pipe has taken everything (process.exit would cut a long line short).
process.stdout.write(JSON.stringify({ latencies_ms: latencies, disconnects }) + '\n', () => process.exit(0))

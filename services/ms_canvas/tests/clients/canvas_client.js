// One collaborator on a canvas: an unmodified yjs document synced by an unmodified
// y-websocket WebsocketProvider. Runs in Node (with the `ws` package) and, bundled, in Chromium.
import * as Y from 'yjs'
import { WebsocketProvider } from 'y-websocket'

const until = (check, subscribe, unsubscribe, timeoutMs, what) =>
  new Promise((resolve, reject) => {
    if (check()) return resolve()
    const timer = setTimeout(() => { unsubscribe(listener); reject(new Error(`timed out waiting for ${what}`)) }, timeoutMs)
    const listener = () => { if (check()) { clearTimeout(timer); unsubscribe(listener); resolve() } }
    subscribe(listener)
  })

export function createCanvasClient ({ url, canvas, token, user, WebSocketPolyfill }) {
  const doc = new Y.Doc()
  const nodes = doc.getMap('nodes')
  const closes = []
  const options = { protocols: ['knowledge.v1', `bearer.${token}`], disableBc: true, maxBackoffTime: 200 }
  if (WebSocketPolyfill) options.WebSocketPolyfill = WebSocketPolyfill
  const provider = new WebsocketProvider(url, canvas, doc, options)
  provider.on('connection-close', (event) => { if (event) closes.push(event.code) })
  // y-websocket only logs an auth message (type 2); count them off the socket itself.
  let refusals = 0
  provider.on('status', ({ status }) => {
    if (status === 'connected') {
      provider.ws.addEventListener('message', (event) => {
        if (new Uint8Array(event.data)[0] === 2) refusals += 1
      })
    }
  })
  provider.awareness.setLocalStateField('user', user)

  const peers = () => [...provider.awareness.getStates().entries()]
    .filter(([id]) => id !== doc.clientID).map(([, state]) => state)

  return {
    synced (timeoutMs = 10000) {
      return until(() => provider.synced, (f) => provider.on('sync', f), (f) => provider.off('sync', f), timeoutMs, 'sync')
    },
    putNode (id, fields) {
      doc.transact(() => { nodes.set(id, new Y.Map(Object.entries(fields))) })
    },
    moveNode (id, x, y) {
      const node = nodes.get(id)
      doc.transact(() => { node.set('x', x); node.set('y', y) })
    },
    nodes () { return nodes.toJSON() },
    waitForNodes (ids, timeoutMs = 10000) {
      return until(() => ids.every((id) => nodes.has(id)), (f) => nodes.observeDeep(f), (f) => nodes.unobserveDeep(f), timeoutMs, `nodes ${ids}`)
    },
    waitForNode (id, fields, timeoutMs = 10000) {
      const matches = () => nodes.has(id) && Object.entries(fields).every(([k, v]) => nodes.get(id).get(k) === v)
      return until(matches, (f) => nodes.observeDeep(f), (f) => nodes.unobserveDeep(f), timeoutMs, `node ${id}`)
    },
    moveCursor (x, y) { provider.awareness.setLocalStateField('cursor', { x, y }) },
    waitForCursor (peerUser, x, y, timeoutMs = 10000) {
      const seen = () => peers().some((s) => s.user === peerUser && s.cursor && s.cursor.x === x && s.cursor.y === y)
      const on = (f) => provider.awareness.on('change', f)
      const off = (f) => provider.awareness.off('change', f)
      return until(seen, on, off, timeoutMs, `cursor of ${peerUser}`)
    },
    peerUsers () { return peers().map((s) => s.user).filter(Boolean).sort() },
    closeCodes () { return closes },
    refusals () { return refusals },
    waitForClose (code, timeoutMs = 10000) {
      const on = (f) => provider.on('connection-close', f)
      const off = (f) => provider.off('connection-close', f)
      return until(() => closes.includes(code), on, off, timeoutMs, `close code ${code}`)
    },
    connected () { return provider.wsconnected },
    destroy () { provider.destroy(); doc.destroy() }
  }
}

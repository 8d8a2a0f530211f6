// Drives collaborators for the Python tests: one JSON command per stdin line, one JSON answer
// per stdout line. {"seq", "client", "op", "args"}; op "open" takes {where: "node"|"browser",
// url, canvas, token, user}. Browser clients live in pages of one headless Chromium.
import { createInterface } from 'node:readline'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import WebSocket from 'ws'
import { buildSync } from 'esbuild'
import { chromium } from 'playwright-core'
import { createCanvasClient } from './canvas_client.js'

const here = dirname(fileURLToPath(import.meta.url))
const clients = new Map()
let browser = null
let bundle = null

async function browserClient (args) {
  if (browser === null) {
    bundle = buildSync({ entryPoints: [join(here, 'browser_entry.js')], bundle: true, write: false, format: 'iife' }).outputFiles[0].text
    // A fresh profile each run; Playwright passes it as --user-data-dir.
    browser = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'canvas-chromium-')), {
      executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
        '--disable-background-networking', '--disable-component-update', '--disable-sync']
    })
  }
  const page = await browser.newPage()
  page.on('pageerror', (error) => process.stderr.write(`page error: ${error}\n`))
  await page.setContent('<!doctype html><title>canvas</title>')
  await page.addScriptTag({ content: bundle })
  await page.evaluate((a) => { window.client = window.createCanvasClient(a) }, args)
  // Every operation runs inside the page; 'then' stays undefined so the proxy is no promise.
  return new Proxy({}, {
    get: (_, op) => op === 'then'
      ? undefined
      : (...opArgs) => page.evaluate(([o, a]) => window.client[o](...a), [op, opArgs])
  })
}

async function run ({ client, op, args }) {
  if (op === 'open') {
    const { where, ...options } = args[0]
    clients.set(client, where === 'browser'
      ? await browserClient(options)
      : createCanvasClient({ ...options, WebSocketPolyfill: WebSocket }))
    return null
  }
  const target = clients.get(client)
  if (!target) throw new Error(`no client ${client}`)
  const result = await target[op](...(args || []))
  if (op === 'destroy') clients.delete(client)
  return result === undefined ? null : result
}

const lines = createInterface({ input: process.stdin })
lines.on('line', (line) => {
  const command = JSON.parse(line)
  run(command).then(
    (result) => process.stdout.write(JSON.stringify({ seq: command.seq, result }) + '\n'),
    (error) => process.stdout.write(JSON.stringify({ seq: command.seq, error: String((error && error.stack) || error) }) + '\n'))
})
lines.on('close', async () => {
  for (const c of clients.values()) { try { await c.destroy() } catch {} }
  if (browser) await browser.close()
  process.exit(0)
})

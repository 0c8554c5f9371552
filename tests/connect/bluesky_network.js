// A real AT Protocol network on 127.0.0.1 for the Bluesky connector tests: PLC (in memory), a PDS and
// the Bluesky AppView (on PostgreSQL + Redis), from @atproto/dev-env. Started by tests/connect/bluesky_server.py.
// Prints one JSON line {pds, control} once ready; stops when stdin closes (the test process ended).
'use strict'
const http = require('node:http')
const net = require('node:net')

// dev-env's services listen on every interface; keep them all on the loopback
const listen = net.Server.prototype.listen
net.Server.prototype.listen = function (...args) {
  if (typeof args[0] === 'number' && typeof args[1] !== 'string') args.splice(1, 0, '127.0.0.1')
  else if (args[0] && typeof args[0] === 'object' && 'port' in args[0] && !args[0].host) args[0] = { ...args[0], host: '127.0.0.1' }
  return listen.apply(this, args)
}
const { TestNetwork } = require('@atproto/dev-env')

async function main() {
  const network = await TestNetwork.create({ dbPostgresSchema: "groundswell" })
  // the control port lets the tests wait until the AppView has indexed what they wrote to the PDS
  const control = http.createServer(async (req, res) => {
    try {
      if (req.url === '/process') await network.processAll()
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}')
    } catch (err) {
      res.writeHead(500).end(String(err))
    }
  })
  await new Promise((resolve) => control.listen(0, '127.0.0.1', resolve))
  const stop = async () => {
    control.close()
    await network.close().catch(() => {})
    process.exit(0)
  }
  process.stdin.on('end', stop)
  process.stdin.on('close', stop)
  process.stdin.resume()
  process.stdout.write(JSON.stringify({ pds: network.pds.url, control: `http://127.0.0.1:${control.address().port}` }) + '\n')
}

main().catch((err) => {
  process.stderr.write(String(err && err.stack || err) + '\n')
  process.exit(1)
})

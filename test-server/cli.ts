/**
 * Runs the Zenodo test server as a process: `tsx test-server/cli.ts [--port N] [--latency MS]
 * [--rdm instance|zenodo] [--vocabularies small|zenodo] [--no-parent-doi]`.
 * Prints one JSON line {url, apiUrl, githubApiUrl, token} to stdout and runs until SIGTERM/SIGINT.
 */
import { startZenodoServer, type ZenodoServerOptions } from './zenodo-server.js'

function parseArgs(argv: string[]): ZenodoServerOptions {
  const opts: ZenodoServerOptions = {}
  for (let i = 0; i < argv.length; i++) {
    const value = (): number => {
      const n = Number(argv[++i])
      if (!Number.isFinite(n) || n < 0) throw new Error(`${argv[i - 1]} needs a number`)
      return n
    }
    const arg = argv[i]
    if (arg === '--port') opts.port = value()
    else if (arg === '--latency') opts.latencyMs = value()
    else if (arg === '--rate-limit') opts.rateLimitPerMinute = value()
    else if (arg === '--token') opts.token = argv[++i]
    else if (arg === '--rdm') {
      const mode = argv[++i]
      if (mode !== 'instance' && mode !== 'zenodo')
        throw new Error('--rdm needs instance or zenodo')
      opts.rdm = { ...opts.rdm, mode }
    } else if (arg === '--vocabularies') {
      const set = argv[++i]
      if (set !== 'small' && set !== 'zenodo')
        throw new Error('--vocabularies needs small or zenodo')
      opts.rdm = { mode: 'instance', ...opts.rdm, vocabularies: set }
    } else if (arg === '--no-parent-doi')
      opts.rdm = { mode: 'instance', ...opts.rdm, parentDoi: false }
    else throw new Error(`unknown argument ${arg}`)
  }
  return opts
}

const server = await startZenodoServer(parseArgs(process.argv.slice(2)))
process.stdout.write(
  `${JSON.stringify({
    url: server.url,
    apiUrl: server.apiUrl,
    githubApiUrl: server.githubApiUrl,
    token: server.token
  })}\n`
)
let closing = false
const stop = (): void => {
  if (closing) return
  closing = true
  server.close().then(
    () => process.exit(0),
    () => process.exit(1)
  )
}
process.on('SIGTERM', stop)
process.on('SIGINT', stop)

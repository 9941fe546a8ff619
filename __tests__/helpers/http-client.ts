/**
 * Shared setup for the tests of the HTTP client, the Zenodo client and the uploader: a client
 * whose waits are recorded instead of slept (so retries take milliseconds), its own undici
 * Agent (closed after the tests), and a capture of what @actions/core writes to stdout.
 */
import { jest } from '@jest/globals'
import { Agent } from 'undici'
import { HttpClient, type RetryPolicy, type TokenSource } from '../../src/http.js'

/** A client plus the waits it asked for. */
export interface TestClient {
  http: HttpClient
  /** Every wait the retry policy asked for, in ms, in order. */
  sleeps: number[]
}

const agents: Agent[] = []

/** An HttpClient for tests: no real sleeping, deterministic jitter (half the ceiling). */
export function testClient(
  auth: TokenSource | string | undefined,
  policy: Partial<RetryPolicy> = {},
  userAgent = 'zenodo-release-action-tests/1.0 (+https://example.org)'
): TestClient {
  const sleeps: number[] = []
  const agent = new Agent({ keepAliveTimeout: 1000, connections: 4 })
  agents.push(agent)
  const http = new HttpClient({
    auth: typeof auth === 'string' ? { token: () => Promise.resolve(auth) } : auth,
    userAgent,
    dispatcher: agent,
    policy: {
      sleep: ms => {
        sleeps.push(ms)
        return Promise.resolve()
      },
      random: () => 0.5,
      ...policy
    }
  })
  return { http, sleeps }
}

/** Close every Agent made by testClient (call in afterAll). */
export async function closeTestClients(): Promise<void> {
  await Promise.all(agents.splice(0).map(a => a.destroy()))
}

/** What @actions/core wrote to stdout while capturing (core.info, core.warning, ...). */
export interface OutputCapture {
  lines: () => string[]
  text: () => string
  restore: () => void
}

/** Capture stdout (where @actions/core writes); the lines are not printed. */
export function captureOutput(): OutputCapture {
  const chunks: string[] = []
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: unknown) => {
    chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString())
    return true
  })
  const text = (): string => chunks.join('')
  return {
    text,
    lines: () => text().split(/\r?\n/).filter(Boolean),
    restore: () => {
      spy.mockRestore()
    }
  }
}

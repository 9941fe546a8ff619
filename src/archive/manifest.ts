/**
 * manifest.json, written to disk entry by entry while the archive is built: each member's path,
 * size, md5 and sha256 go out as soon as the member is archived, so the manifest of 20,000 files
 * is never held in memory (neither as objects nor as one text). The file is the same text
 * `JSON.stringify(manifest, null, 2)` gives, plus a final newline.
 */
import { once } from 'node:events'
import { createWriteStream, type WriteStream } from 'node:fs'

/** Where the archived files come from, recorded in the manifest. */
export interface ManifestInfo {
  /** owner/repo */
  repository: string
  tag: string
  commit: string
}

/** One archived file as listed in manifest.json. */
export interface ManifestEntry {
  path: string
  size: number
  md5: string
  sha256: string
}

/** manifest.json: what the archive holds and where it comes from. */
export interface Manifest extends ManifestInfo {
  /** ISO 8601 time the archive build started. */
  created: string
  files: ManifestEntry[]
}

/** Writes manifest.json to `path` as entries come; `finish()` closes it and gives its size. */
export class ManifestWriter {
  private readonly out: WriteStream
  private readonly failed: Promise<never>
  private entries = 0
  private bytes = 0

  constructor(
    readonly path: string,
    info: ManifestInfo,
    created: Date = new Date()
  ) {
    this.out = createWriteStream(path)
    // Any write error ends the next wait (write, drain or finish) with it.
    this.failed = new Promise<never>((_resolve, reject) => {
      this.out.once('error', reject)
    })
    this.failed.catch(() => undefined)
    const head: Manifest = {
      repository: info.repository,
      tag: info.tag,
      commit: info.commit,
      created: created.toISOString(),
      files: []
    }
    // Everything up to the files list's opening bracket, as JSON.stringify indents it.
    const text = JSON.stringify(head, null, 2)
    this.put(text.slice(0, text.lastIndexOf('[') + 1))
  }

  /** Appends one file; waits while the disk is behind. */
  async add(entry: ManifestEntry): Promise<void> {
    const item = JSON.stringify(
      { path: entry.path, size: entry.size, md5: entry.md5, sha256: entry.sha256 },
      null,
      2
    ).replace(/\n/g, '\n    ')
    const fits = this.put(`${this.entries === 0 ? '' : ','}\n    ${item}`)
    this.entries++
    if (!fits) await Promise.race([once(this.out, 'drain'), this.failed])
  }

  /** Ends the list and the file; resolves with the file's size once it is closed. */
  async finish(): Promise<number> {
    this.put(`${this.entries === 0 ? '' : '\n  '}]\n}\n`)
    this.out.end()
    await Promise.race([once(this.out, 'close'), this.failed])
    return this.bytes
  }

  /** Closes the file after a failure (the caller removes it). */
  async abort(): Promise<void> {
    if (this.out.closed) return
    const closed = once(this.out, 'close').catch(() => undefined)
    this.out.destroy()
    await closed
  }

  private put(text: string): boolean {
    this.bytes += Buffer.byteLength(text)
    return this.out.write(text)
  }
}

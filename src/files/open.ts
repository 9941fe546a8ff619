/**
 * Opening a file to read it in full, safely: without blocking (a FIFO put in a file's place
 * would make a plain open wait forever for a writer, and keep the process alive after the run
 * has failed), then checked with fstat on the open descriptor: it must be a regular file and,
 * when the plan gave one, of the planned size. What is then read is what was checked.
 */
import { closeSync, constants, fstatSync, openSync } from 'node:fs'
import { ActionError } from '../errors.js'
import { formatBytes, logSafe } from '../format.js'

/** An open descriptor of a regular file, and its size at opening. */
export interface OpenedFile {
  fd: number
  size: number
}

/**
 * Opens `path` for reading (O_NONBLOCK, so opening never waits) and checks it: a regular
 * file, and `expectedSize` bytes long when given. `label` names the file in errors.
 * The caller owns the descriptor (a read stream with autoClose closes it).
 */
export function openRegularFile(path: string, label: string, expectedSize?: number): OpenedFile {
  let fd: number
  try {
    fd = openSync(path, constants.O_RDONLY | ((constants.O_NONBLOCK as number | undefined) ?? 0))
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? String(e)
    throw new ActionError(
      `Cannot read ${logSafe(label)}: ${logSafe(path)} cannot be opened (${code}).`
    )
  }
  try {
    const s = fstatSync(fd)
    if (!s.isFile()) {
      throw new ActionError(
        `${logSafe(label)} is no longer a regular file (${logSafe(path)} is now ${s.isFIFO() ? 'a FIFO' : 'not a regular file'}); it was replaced after the files were planned. Make sure nothing changes the release files while the action runs.`
      )
    }
    if (expectedSize !== undefined && s.size !== expectedSize) {
      throw new ActionError(
        `${logSafe(label)} changed after the files were planned: it was ${formatBytes(expectedSize)} (${String(expectedSize)} bytes) and is now ${String(s.size)} bytes (${logSafe(path)}). Nothing of it was published; make sure nothing writes to the release files while the action runs.`
      )
    }
    return { fd, size: s.size }
  } catch (e) {
    closeSync(fd)
    throw e
  }
}

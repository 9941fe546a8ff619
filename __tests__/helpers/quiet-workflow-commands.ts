/**
 * Jest setup: the modules under test log through @actions/core, which writes workflow commands
 * (::debug::, ::group::, ::add-mask::) to stdout. Outside a runner they are noise in the test
 * log, so lines starting with "::" are dropped unless SHOW_WORKFLOW_COMMANDS=1. Tests that read
 * the action's output run dist/index.js in a child process and are not affected.
 */
if (process.env.SHOW_WORKFLOW_COMMANDS !== '1') {
  const write = process.stdout.write.bind(process.stdout)
  process.stdout.write = (chunk: unknown, ...rest: unknown[]) => {
    if (typeof chunk === 'string' && chunk.startsWith('::')) return true
    return (write as (c: unknown, ...r: unknown[]) => boolean)(chunk, ...rest)
  }
}

/**
 * The README documents every input and output of action.yml, in tables generated from it
 * (npm run readme), so the documentation never drifts from the interface.
 */
import { readmeState, tables } from '../scripts/readme-tables.js'

test('the README tables are the ones generated from action.yml', async () => {
  const { current, next } = await readmeState()
  expect(current).toBe(next)
})

test('every input and output of action.yml has a row with its default', async () => {
  const { current, yml } = await readmeState()
  for (const [name, input] of Object.entries(yml.inputs)) {
    const row = current.split('\n').find(line => line.startsWith(`| \`${name}\``))
    expect([name, row !== undefined]).toEqual([name, true])
    if (input.default) expect(row).toContain(input.default.split('\n')[0].trim())
  }
  for (const name of Object.keys(yml.outputs)) expect(current).toContain(`| \`${name}\``)
})

test('a description with a pipe or line break stays inside its cell', () => {
  const { inputs } = tables({
    inputs: { x: { description: 'a | b\nc', default: 'd' } },
    outputs: {}
  })
  expect(inputs.split('\n')[2]).toBe('| `x` | `d` | a \\| b c |')
})

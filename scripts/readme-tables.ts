/**
 * Generates the README's inputs and outputs tables from action.yml, so they never drift.
 * `tsx scripts/readme-tables.ts` rewrites README.md between the markers; `--check` fails when
 * the README is out of date (a test runs the check).
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import * as prettier from 'prettier'
import { parse } from 'yaml'

export interface ActionYaml {
  inputs: Record<string, { description: string; default?: string; required?: boolean }>
  outputs: Record<string, { description: string }>
}

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..')

const cell = (s: string): string =>
  s
    .replace(/\|/g, '\\|')
    .replace(/\s*\n\s*/g, ' ')
    .trim()

/** The markdown tables for action.yml's inputs and outputs. */
export function tables(yml: ActionYaml): { inputs: string; outputs: string } {
  const inputs = [
    '| Input | Default | Description |',
    '| --- | --- | --- |',
    ...Object.entries(yml.inputs).map(
      ([name, i]) =>
        `| \`${name}\` | ${i.default ? `\`${cell(i.default)}\`` : '—'} | ${cell(i.description)} |`
    )
  ].join('\n')
  const outputs = [
    '| Output | Description |',
    '| --- | --- |',
    ...Object.entries(yml.outputs).map(([name, o]) => `| \`${name}\` | ${cell(o.description)} |`)
  ].join('\n')
  return { inputs, outputs }
}

/** The README with both generated sections replaced. */
export function renderReadme(readme: string, yml: ActionYaml): string {
  const t = tables(yml)
  return replaceBetween(replaceBetween(readme, 'inputs', t.inputs), 'outputs', t.outputs)
}

function replaceBetween(text: string, name: string, body: string): string {
  const start = `<!-- ${name}:start (generated from action.yml by npm run readme) -->`
  const end = `<!-- ${name}:end -->`
  const a = text.indexOf(start)
  const b = text.indexOf(end)
  if (a < 0 || b < a) throw new Error(`README.md lacks the ${start} ... ${end} markers`)
  return `${text.slice(0, a + start.length)}\n${body}\n${text.slice(b)}`
}

/** The README as it is and as it should be (tables regenerated, formatted like `prettier --check` wants). */
export async function readmeState(): Promise<{ current: string; next: string; yml: ActionYaml }> {
  const yml = parse(readFileSync(join(ROOT, 'action.yml'), 'utf8')) as ActionYaml
  const path = join(ROOT, 'README.md')
  const current = readFileSync(path, 'utf8')
  const options = (await prettier.resolveConfig(path)) ?? {}
  const next = await prettier.format(renderReadme(current, yml), { ...options, filepath: path })
  return { current, next, yml }
}

async function main(): Promise<void> {
  const path = join(ROOT, 'README.md')
  const { current, next } = await readmeState()
  if (process.argv.includes('--check')) {
    if (next !== current) {
      console.error('README.md tables are out of date with action.yml: run npm run readme')
      process.exit(1)
    }
    return
  }
  writeFileSync(path, next)
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main()

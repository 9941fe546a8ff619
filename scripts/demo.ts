/**
 * `npm run demo`: publishes two releases of a small example project with the built action
 * (dist/index.js, run as the GitHub runner runs it) against the project's Zenodo test server on
 * 127.0.0.1, and prints what it got: the first release, then a new version of the same concept.
 */
import {
  makeWorkspace,
  releaseEvent,
  startE2E,
  type ActionRun
} from '../__tests__/helpers/action.js'

const zenodoJson = JSON.stringify(
  {
    upload_type: 'software',
    creators: [
      { name: 'Lovelace, Ada', affiliation: 'Analytical Engines Ltd', orcid: '0000-0002-1825-0097' }
    ],
    keywords: ['demo', 'zenodo'],
    license: 'MIT'
  },
  null,
  2
)

function show(label: string, run: ActionRun): void {
  if (run.code !== 0) {
    console.error(`${label} failed (exit ${String(run.code)}):\n${run.stdout}\n${run.stderr}`)
    process.exit(1)
  }
  console.log(`\n${label}`)
  for (const name of ['state', 'doi', 'concept-doi', 'record-url', 'badge-markdown', 'files']) {
    console.log(`  ${name.padEnd(14)} ${run.outputs[name]}`)
  }
}

const e2e = await startE2E()
try {
  console.log(`Zenodo test server on ${e2e.server.url}`)
  const workspace = await makeWorkspace({
    '.zenodo.json': zenodoJson,
    'dist/demo-1.0.0.tar.gz': 'pretend this is a source distribution\n',
    'src/demo.py': 'print("hello, Zenodo")\n',
    'README.md': '# demo\n'
  })
  const first = await e2e.run({
    event: releaseEvent({ tag: 'v1.0.0', name: 'First release', body: 'The **first** release.' }),
    workspace,
    inputs: { files: 'dist/*', archive: 'src/**\nREADME.md' }
  })
  show('First release (new deposition):', first)

  const second = await e2e.run({
    event: releaseEvent({ tag: 'v1.1.0', body: 'Bug fixes.' }),
    workspace,
    inputs: { files: 'dist/*', archive: 'src/**\nREADME.md' }
  })
  show('Second release (found the concept by its repository link: a new version of it):', second)
  if (second.outputs['concept-doi'] !== first.outputs['concept-doi']) {
    console.error("The second release did not continue the first one's concept.")
    process.exit(1)
  }
  console.log(`\nDOI: ${second.outputs.doi}`)
} finally {
  await e2e.close()
}

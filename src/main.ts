import * as core from '@actions/core'
import lic from './data/zenodo-licenses.json' with { type: 'json' }

export async function run(): Promise<void> {
  core.info(`hello ${Object.keys(lic.legacy_to_rdm).length}`)
}

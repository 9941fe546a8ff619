/** The action's name and version, sent as the User-Agent Zenodo asks clients for. */
export const ACTION_NAME = 'zenodo-release-action'
export const ACTION_VERSION = '1.0.0'
export const ACTION_REPOSITORY = process.env.GITHUB_ACTION_REPOSITORY || 'zenodo-release-action'
export const USER_AGENT = `${ACTION_NAME}/${ACTION_VERSION} (+https://github.com/${ACTION_REPOSITORY})`

/** ORCID iD checks: the bare form 0000-0000-0000-000X and its ISO 7064 MOD 11-2 check digit. */

/** The ISO 7064 MOD 11-2 check character ("0"-"9" or "X") for the first 15 digits of an ORCID iD. */
export function orcidCheckDigit(first15Digits: string): string {
  let total = 0
  for (const digit of first15Digits) total = (total + Number(digit)) * 2
  const result = (12 - (total % 11)) % 11
  return result === 10 ? 'X' : String(result)
}

/** What is wrong with an ORCID value, if anything. */
export type OrcidIssue =
  { kind: 'url'; bare: string } | { kind: 'form' } | { kind: 'checksum'; expected: string }

const BARE = /^(\d{4})-(\d{4})-(\d{4})-(\d{3}[\dX])$/i
const URL_FORM = /^(?:https?:\/\/)?(?:www\.)?orcid\.org\/(\d{4}-\d{4}-\d{4}-\d{3}[\dX])\/?$/i

/** Check an ORCID value; undefined when it is a bare iD with a valid check digit. */
export function checkOrcid(value: string): OrcidIssue | undefined {
  const trimmed = value.trim()
  const url = URL_FORM.exec(trimmed)
  if (url) return { kind: 'url', bare: url[1].toUpperCase() }
  const bare = BARE.exec(trimmed)
  if (!bare) return { kind: 'form' }
  const digits = bare.slice(1).join('').toUpperCase()
  const expected = orcidCheckDigit(digits.slice(0, 15))
  return digits[15] === expected ? undefined : { kind: 'checksum', expected }
}

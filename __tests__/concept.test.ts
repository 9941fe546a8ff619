import { parseConcept } from '../src/zenodo/concept.js'

test.each([
  ['10.5281/zenodo.1234567', 1234567],
  ['https://doi.org/10.5281/zenodo.1234567', 1234567],
  ['doi:10.5281/zenodo.42', 42],
  ['10.5072/zenodo.99', 99],
  ['https://zenodo.org/records/1234567', 1234567],
  ['https://zenodo.org/record/1234567', 1234567],
  ['https://sandbox.zenodo.org/records/55/', 55],
  ['https://zenodo.org/doi/10.5281/zenodo.777', 777],
  [' 1234567 ', 1234567]
])('finds the record id in %s', (input, id) => {
  expect(parseConcept(input)).toBe(id)
})

test('refuses an external DOI with an explanation', () => {
  expect(() => parseConcept('10.1000/xyz123')).toThrow(/not a Zenodo DOI/)
})

test('refuses text that is no concept form, listing the accepted forms', () => {
  expect(() => parseConcept('my-project')).toThrow(/10\.5281\/zenodo\.1234567/)
  expect(() => parseConcept('0')).toThrow(/valid Zenodo record id/)
})

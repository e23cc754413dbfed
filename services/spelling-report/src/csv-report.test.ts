import { stringify } from 'csv-stringify/sync';
import { csvField } from './csv-report';

/** The report's csv was written by csv-stringify 6 with its defaults; its own encoder must agree. */
const FIELDS = ['plain', '', 'Smith, Jr', '"Quoted"', "O'Neil", 'two\nlines', 'cr\ronly', 'Ørsted', ' spaced ', 'a""b', ',', '"', '=1+1', '-3', 'tab\there'];

test.each(FIELDS)('%j is written as csv-stringify writes it', (field) => {
  expect(csvField(field)).toBe(stringify([[field]], { record_delimiter: 'unix' }).slice(0, -1));
});

test('a record of such fields reads back as written', () => {
  expect(FIELDS.map(csvField).join(',')).toBe(stringify([FIELDS]).slice(0, -1));
});

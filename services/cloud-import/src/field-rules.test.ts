import { bit, dateTime, id, Invalid, monday, number, word } from './field-rules';

test('rules parse good values and name the problem with bad ones', () => {
  expect(id('sch0001-p00001')).toBe('sch0001-p00001');
  expect(id('../x')).toBeInstanceOf(Invalid);
  expect(monday('2025-01-06')).toBe('2025-01-06');
  expect((monday('2025-01-07') as Invalid).reason).toMatch(/not a Monday/);
  expect(bit('yes')).toBe(true);
  expect(bit('0')).toBe(false);
  expect(dateTime('2025-01-10')).toBe('2025-01-10T00:00:00.000Z');
  expect(dateTime('10/01/2025')).toBeInstanceOf(Invalid);
  expect(number(0, 20)('17.5')).toBe(17.5);
  expect(word("o'clock")).toBe("o'clock");
  expect(word('two words')).toBeInstanceOf(Invalid);
});

test('issue 18, defect 2: an impossible date is refused, not rolled over to the next month', () => {
  for (const raw of ['2024-02-30', '2023-02-29T10:00:00Z', '2025-04-31', '2025-13-01', '2025-01-10T24:00:00Z', '2025-01-10T09:60Z', '2025-01-10T09:30:00+15:00']) {
    expect(dateTime(raw)).toBeInstanceOf(Invalid);
  }
  expect((dateTime('2024-02-30T09:00:00Z') as Invalid).reason).toMatch(/not a date in the calendar/);
  expect(dateTime('2024-02-29T23:59:59.5+01:00')).toBe('2024-02-29T22:59:59.500Z');
});

test('issue 18, defect 5: a date-time without a zone is UTC, whatever the server\'s zone', () => {
  const zone = process.env.TZ;
  process.env.TZ = 'America/New_York';
  try {
    expect(dateTime('2025-01-10T09:30:00')).toBe('2025-01-10T09:30:00.000Z');
    expect(dateTime('2025-07-10 09:30')).toBe('2025-07-10T09:30:00.000Z');
    expect(dateTime('2025-01-10T09:30:00-0500')).toBe('2025-01-10T14:30:00.000Z');
  } finally {
    if (zone === undefined) delete process.env.TZ;
    else process.env.TZ = zone;
  }
});

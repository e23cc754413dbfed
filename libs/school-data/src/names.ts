/** Names the seeder gives pupils and schools: enough variety to look real in a report. */
export const GIVEN_NAMES: readonly string[] = [
  'Amelia', 'Oliver', 'Isla', 'George', 'Ava', 'Noah', 'Mia', 'Arthur', 'Ivy', 'Muhammad', 'Freya', 'Leo',
  'Lily', 'Harry', 'Florence', 'Oscar', 'Willow', 'Archie', 'Rosie', 'Henry', 'Sophia', 'Theo', 'Evie', 'Jack',
  'Ella', 'Charlie', 'Grace', 'Jacob', 'Sofia', 'Alfie', 'Ruby', 'Freddie', 'Aisha', 'Luca', 'Zara', 'Finley',
];
export const FAMILY_NAMES: readonly string[] = [
  'Smith', 'Jones', 'Taylor', 'Brown', 'Williams', 'Wilson', 'Johnson', 'Davies', 'Patel', 'Robinson', 'Wright',
  'Thompson', 'Evans', 'Walker', 'White', 'Roberts', 'Green', 'Hall', 'Wood', 'Jackson', 'Clarke', 'Khan', 'Hughes',
  'Edwards', 'Hill', 'Moore', 'Clark', 'Harrison', 'Scott', 'Young', 'Morris', 'Ali', 'Baker', 'Cooper', 'Singh',
];
export const SCHOOL_NAMES: readonly string[] = [
  'Elmwood', 'Riverside', 'Oakfield', 'St Mary', 'Hillcrest', 'Meadowbank', 'Brookside', 'Ashgrove', 'Kingsway', 'Fernhill',
];
export const CHANNELS: readonly string[] = ['TPD', 'NCF', 'STEM', 'LIT'];
export const SUBJECTS: readonly string[] = ['maths', 'english', 'science'];

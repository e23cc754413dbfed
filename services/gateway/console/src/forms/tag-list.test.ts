import { tagList } from './tag-list';

test('a tags field becomes a list of distinct, trimmed, non-empty names', () => {
  expect(tagList('school-1, school-2,,school-1 , ')).toEqual(['school-1', 'school-2']);
  expect(tagList('   ')).toEqual([]);
});

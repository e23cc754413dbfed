import { artifactState } from './artifact-state';

const now = Date.parse('2026-01-10T12:00:00Z');
const artifact = { url: 'http://s3/x?sig', expiresAt: '2026-01-10T12:15:00Z' };

describe('artifactState', () => {
  it('is available while the link is valid and the file kept', () => {
    expect(artifactState({ status: 'succeeded', expiresAt: '2026-01-11T12:00:00Z' }, artifact, now)).toBe('available');
  });

  it('is stale when the short-lived link has (nearly) run out', () => {
    expect(artifactState({ status: 'succeeded' }, { ...artifact, expiresAt: '2026-01-10T12:00:10Z' }, now)).toBe('stale');
    expect(artifactState({ status: 'succeeded' }, { ...artifact, url: '' }, now)).toBe('stale');
  });

  it('is expired once the task expired or its retention passed', () => {
    expect(artifactState({ status: 'expired' }, artifact, now)).toBe('expired');
    expect(artifactState({ status: 'succeeded', expiresAt: '2026-01-10T11:00:00Z' }, artifact, now)).toBe('expired');
  });
});

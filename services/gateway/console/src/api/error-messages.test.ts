import { ApiError, apiErrorFrom, asApiError, NETWORK_ERROR } from './api-error';
import { errorMessage, taskErrorHint } from './error-messages';

describe('apiErrorFrom', () => {
  it('reads the error envelope', () => {
    const error = apiErrorFrom(429, JSON.stringify({ error: { code: 'quota-exceeded', message: '3 unfinished spelling-report tasks', details: { limit: 3 } } }));
    expect(error).toMatchObject({ status: 429, code: 'quota-exceeded', message: '3 unfinished spelling-report tasks', details: { limit: 3 } });
  });

  it('keeps the status as the code when the body is not the envelope', () => {
    expect(apiErrorFrom(502, '<html>Bad gateway</html>')).toMatchObject({ status: 502, code: 'http-502' });
    expect(apiErrorFrom(0, '')).toMatchObject({ code: NETWORK_ERROR });
  });

  it('wraps a thrown fetch failure as a network error', () => {
    expect(asApiError(new TypeError('Failed to fetch'))).toMatchObject({ status: 0, code: NETWORK_ERROR, message: 'Failed to fetch' });
  });
});

describe('errorMessage', () => {
  it.each([
    ['quota-exceeded', 429, 'Limit of unfinished tasks reached'],
    ['invalid-zip', 422, 'The file is not a usable zip'],
    ['artifact-expired', 410, 'The file has expired'],
    ['upload-too-large', 413, 'The file is too large'],
    ['unauthorized', 401, 'API key not accepted'],
    ['forbidden', 403, 'Not allowed'],
    ['not-found', 404, 'Not found'],
    ['invalid-params', 400, 'Some fields need attention'],
    ['unknown-type', 400, 'Unknown job type'],
    ['malformed-json', 400, 'The request was not valid JSON'],
    [NETWORK_ERROR, 0, 'Cannot reach the server'],
  ])('%s has its own message', (code, status, title) => {
    const message = errorMessage(new ApiError(status, code, 'server words'));
    expect(message.title).toBe(title);
    expect(message.hint.length).toBeGreaterThan(10);
    expect(message.detail).toBe('server words');
  });

  it('falls back by HTTP status for codes it does not know', () => {
    expect(errorMessage(new ApiError(429, 'slow-down', 'x')).title).toBe('Limit of unfinished tasks reached');
    expect(errorMessage(new ApiError(503, 'http-503', 'x')).title).toBe('The server had a problem');
    expect(errorMessage(new ApiError(400, 'odd', 'x')).title).toBe('The request was refused');
  });

  it('leaves out a server message that only repeats the title', () => {
    expect(errorMessage(new ApiError(404, 'not-found', 'Not found')).detail).toBeUndefined();
  });
});

describe('taskErrorHint', () => {
  it('explains the platform codes a task can fail with, and nothing for codes it does not know', () => {
    expect(taskErrorHint('expired-in-queue')).toMatch(/waited in the queue/);
    expect(taskErrorHint('timeout')).toMatch(/time limit/);
    expect(taskErrorHint('some-job-specific-code')).toBeUndefined();
  });
});

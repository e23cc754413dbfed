import { ApiError, apiErrorFrom, NETWORK_ERROR } from './api-error';
import type { NewTask } from './api-client';
import type { SubmitAnswer } from './api-types';

export interface UploadHandle {
  done: Promise<SubmitAnswer>;
  abort: () => void;
}

/**
 * Submits a task with its zip as multipart/form-data. XMLHttpRequest rather than fetch, because only it
 * reports upload progress. Fields come before the file so the gateway knows the type before streaming it.
 */
export function uploadTask(key: string, task: NewTask, file: File, onProgress: (fraction: number) => void): UploadHandle {
  const xhr = new XMLHttpRequest();
  const form = new FormData();
  form.append('type', task.type);
  if (task.title) form.append('title', task.title);
  if (task.tag) form.append('tag', task.tag);
  if (task.runAt) form.append('runAt', task.runAt);
  if (task.priority) form.append('priority', task.priority);
  form.append('params', JSON.stringify(task.params));
  form.append('file', file, file.name);
  const done = new Promise<SubmitAnswer>((resolve, reject) => {
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable) onProgress(event.loaded / event.total);
    };
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        try {
          resolve(JSON.parse(xhr.responseText) as SubmitAnswer);
        } catch {
          reject(new ApiError(xhr.status, 'bad-response', 'The server answered with something that is not JSON.'));
        }
      } else reject(apiErrorFrom(xhr.status, xhr.responseText));
    };
    xhr.onerror = () => reject(new ApiError(0, NETWORK_ERROR, 'The upload was interrupted.'));
    xhr.onabort = () => reject(new ApiError(0, 'aborted', 'The upload was stopped.'));
  });
  xhr.open('POST', '/v1/tasks');
  xhr.setRequestHeader('Authorization', `Bearer ${key}`);
  xhr.setRequestHeader('Accept', 'application/json');
  xhr.send(form);
  return { done, abort: () => xhr.abort() };
}

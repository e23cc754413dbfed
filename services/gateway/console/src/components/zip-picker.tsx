import { useState } from 'preact/hooks';
import type { UploadLimits } from '../api/api-types';
import { formatBytes } from '../format/format';

interface Props {
  file?: File;
  problem?: string;
  limits?: UploadLimits;
  disabled?: boolean;
  onFile: (file: File | undefined) => void;
}

function firstFile(list: FileList | null | undefined): File | undefined {
  return list && list.length > 0 ? list[0] : undefined;
}

/** A zip chooser that takes a dropped file or a picked one; the real file input stays keyboard-reachable. */
export function ZipPicker({ file, problem, limits, disabled, onFile }: Props) {
  const [over, setOver] = useState(false);
  const onDrop = (event: DragEvent): void => {
    event.preventDefault();
    setOver(false);
    if (!disabled) onFile(firstFile(event.dataTransfer?.files));
  };
  const onDragOver = (event: DragEvent): void => {
    event.preventDefault();
    if (!disabled) setOver(true);
  };
  return (
    <div class={`field${problem ? ' field-invalid' : ''}`}>
      <span class="label" id="zip-label">
        Zip file<span class="required-mark"> (required)</span>
      </span>
      <div
        class={`dropzone${over ? ' dropzone-over' : ''}${file ? ' dropzone-filled' : ''}`}
        onDragOver={onDragOver}
        onDragEnter={onDragOver}
        onDragLeave={() => setOver(false)}
        onDrop={onDrop}
        data-testid="dropzone"
      >
        <input
          id="zip-file"
          class="file-input"
          type="file"
          accept=".zip,application/zip,application/x-zip-compressed"
          disabled={disabled}
          aria-labelledby="zip-label zip-choose"
          aria-describedby={`zip-hint${problem ? ' zip-error' : ''}`}
          aria-invalid={problem ? true : undefined}
          onChange={(event) => onFile(firstFile((event.currentTarget as HTMLInputElement).files))}
        />
        <label for="zip-file" id="zip-choose" class="button secondary">
          {file ? 'Choose another file' : 'Choose a zip file'}
        </label>
        <p class="dropzone-text">{file ? `${file.name} (${formatBytes(file.size)})` : 'or drag and drop it here'}</p>
      </div>
      <p class="hint" id="zip-hint">
        One .zip archive
        {limits ? `, at most ${formatBytes(limits.maxBytes)}, ${limits.maxEntries} files and ${formatBytes(limits.maxUncompressedBytes)} unpacked.` : '.'}
      </p>
      {problem && (
        <p class="field-error" id="zip-error" role="alert">
          {problem}
        </p>
      )}
    </div>
  );
}

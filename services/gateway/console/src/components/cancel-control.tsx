import { useState } from 'preact/hooks';
import { ConfirmGroup } from './confirm-group';

const QUESTION = {
  task: 'Cancel this task? Work done so far is discarded.',
  workflow: 'Cancel this workflow? Every running stage is stopped; stages not started never run.',
};

/** "Cancel task" (or workflow), then a yes/keep-it question before anything is sent. */
export function CancelControl({ what, onCancel }: { what: keyof typeof QUESTION; onCancel: () => Promise<void> }) {
  const [asking, setAsking] = useState(false);
  const [busy, setBusy] = useState(false);
  const confirm = async (): Promise<void> => {
    setBusy(true);
    await onCancel();
    setBusy(false);
    setAsking(false);
  };
  if (!asking) {
    return (
      <button type="button" class="button danger-outline" onClick={() => setAsking(true)}>
        Cancel {what}
      </button>
    );
  }
  return (
    <ConfirmGroup
      label="Confirm cancelling"
      question={QUESTION[what]}
      yes="Yes, cancel it"
      busyText="Cancelling…"
      busy={busy}
      onYes={() => void confirm()}
      onNo={() => setAsking(false)}
    />
  );
}

/**
 * Asks before something that cannot be undone: the question, then "yes" (focused, so Enter confirms
 * only on purpose after a click) and "keep it". A group named by `label` for screen readers and tests.
 */
export function ConfirmGroup(props: { label: string; question: string; yes: string; busyText: string; busy: boolean; onYes: () => void; onNo: () => void }) {
  return (
    <div class="confirm" role="group" aria-label={props.label}>
      <span>{props.question}</span>
      <button type="button" class="button danger" disabled={props.busy} onClick={props.onYes} autoFocus>
        {props.busy ? props.busyText : props.yes}
      </button>
      <button type="button" class="button secondary" disabled={props.busy} onClick={props.onNo}>
        Keep it
      </button>
    </div>
  );
}

import { fieldLabel } from '../forms/field-label';

const isPlain = (value: unknown): value is string | number | boolean => ['string', 'number', 'boolean'].includes(typeof value);

/** A job's result object: simple values as a list of facts, anything nested as formatted JSON. */
export function ResultView({ result }: { result: Record<string, unknown> }) {
  const entries = Object.entries(result);
  const plain = entries.filter(([, value]) => isPlain(value));
  const nested = entries.filter(([, value]) => !isPlain(value) && value !== null && value !== undefined);
  return (
    <>
      {plain.length > 0 && (
        <dl class="facts">
          {plain.map(([name, value]) => (
            <div key={name}>
              <dt>{fieldLabel(name)}</dt>
              <dd>{String(value)}</dd>
            </div>
          ))}
        </dl>
      )}
      {nested.map(([name, value]) => (
        <details key={name} class="details">
          <summary>{fieldLabel(name)}</summary>
          <pre class="code">{JSON.stringify(value, null, 2)}</pre>
        </details>
      ))}
    </>
  );
}

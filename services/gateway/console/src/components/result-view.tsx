import { resultParts, type ResultPart } from '../tasks/result-shape';

function Facts({ facts }: { facts: [string, string][] }) {
  return (
    <dl class="facts">
      {facts.map(([name, value]) => (
        <div key={name}>
          <dt>{name}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  );
}

function Part({ part }: { part: ResultPart }) {
  switch (part.kind) {
    case 'facts':
      return (
        <>
          {part.title && <h3>{part.title}</h3>}
          <Facts facts={part.facts} />
        </>
      );
    case 'table':
      return (
        <div class="table-scroll">
          <table class="table result-table">
            <caption>{part.title}</caption>
            <thead>
              <tr>
                {part.columns.map((c) => (
                  <th key={c} scope="col">
                    {c}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {part.rows.map((row, i) => (
                <tr key={i}>
                  {row.map((cell, j) => (
                    <td key={j} data-label={part.columns[j]}>
                      {cell}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      );
    case 'json':
      return (
        <details class="details">
          <summary>{part.title}</summary>
          <pre class="code">{part.json}</pre>
        </details>
      );
  }
}

/**
 * A job's result (e.g. an import's summary): facts, tables of records, and JSON for the rest. Its `partial`
 * is said beside the status (ShortfallBanner), not again here.
 */
export function ResultView({ result }: { result: Record<string, unknown> }) {
  const { partial: _shownByStatus, ...rest } = result;
  return (
    <>
      {resultParts(rest).map((part, i) => (
        <Part key={i} part={part} />
      ))}
    </>
  );
}

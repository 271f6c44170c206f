/** Horizontal bars for named values (general features, per-feature totals, 1-D layer outputs). */
import { fmt } from '../lib/arrays';

export function Bars({ names, values, label }: { names: string[]; values: number[]; label: string }) {
  const max = Math.max(...values.map(Math.abs), 1e-12);
  return (
    <table className="bars" aria-label={label}>
      <tbody>
        {values.map((v, i) => {
          const w = (Math.abs(v) / max) * 50;
          return (
          <tr key={i}>
            <th scope="row">{names[i] ?? i}</th>
            <td className="bar-cell">
              <span className={`bar ${v < 0 ? 'neg' : 'pos'}`} style={{ width: `${w}%`, marginLeft: `${v < 0 ? 50 - w : 50}%` }} />
            </td>
            <td className="bar-value">{fmt(v)}</td>
          </tr>
          );
        })}
      </tbody>
    </table>
  );
}

/** The argument form of one method, generated from its registry ParamInfo. */
import type { MethodInfo, ParamInfo } from '../../contract';
import { defaultRaw, parseParam, type RawArgs } from '../../app/params';

interface Props {
  method: MethodInfo;
  raw: RawArgs;
  onChange(name: string, value: string | boolean): void;
}

function inputId(method: string, param: string): string {
  return `arg-${method}-${param}`;
}

function ParamField({ method, param, value, onChange }: {
  method: string; param: ParamInfo; value: string | boolean; onChange(v: string | boolean): void;
}) {
  const id = inputId(method, param.name);
  const { error } = parseParam(param, value);
  const helpId = `${id}-help`;
  const describedBy = [param.help ? helpId : '', error ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined;
  let control;
  if (param.type === 'bool') {
    control = (
      <input id={id} type="checkbox" checked={value === true} aria-describedby={describedBy}
        onChange={(e) => onChange(e.target.checked)} />
    );
  } else if (param.type === 'choice') {
    control = (
      <select id={id} value={String(value)} aria-describedby={describedBy} onChange={(e) => onChange(e.target.value)}>
        {(param.choices ?? []).map((c) => <option key={String(c)} value={String(c)}>{String(c)}</option>)}
      </select>
    );
  } else {
    const numeric = param.type === 'int' || param.type === 'float';
    control = (
      <input id={id} type="text" inputMode={numeric ? (param.type === 'int' ? 'numeric' : 'decimal') : undefined}
        value={String(value)} placeholder={param.nullable ? 'auto' : undefined}
        aria-invalid={error ? true : undefined} aria-describedby={describedBy}
        onChange={(e) => onChange(e.target.value)} />
    );
  }
  const bounds = [param.minimum ?? null, param.maximum ?? null];
  return (
    <div className={`param${error ? ' param-invalid' : ''}`}>
      <label htmlFor={id} title={param.help || undefined}>{param.name}</label>
      {control}
      {(bounds[0] !== null || bounds[1] !== null) && (
        <span className="param-bounds">{bounds[0] ?? '−∞'}…{bounds[1] ?? '∞'}</span>
      )}
      {param.help && <span id={helpId} className="param-help">{param.help}</span>}
      {error && <span id={`${id}-error`} className="param-error" role="status">{error}</span>}
    </div>
  );
}

export function ParamForm({ method, raw, onChange }: Props) {
  if (method.params.length === 0) return <p className="muted">{method.name} takes no arguments.</p>;
  return (
    <fieldset className="param-form">
      <legend>{method.name}</legend>
      {method.params.map((param) => (
        <ParamField key={param.name} method={method.name} param={param}
          value={raw[param.name] ?? defaultRaw(param)} onChange={(v) => onChange(param.name, v)} />
      ))}
    </fieldset>
  );
}

/**
 * The sidebar: workspace, models, methods (several at once) with their generated argument
 * forms, target, baselines, layer, filters, and the Fetch / Run buttons with the cost estimate.
 */
import { useState } from 'react';
import type { AppInfo, Estimate } from '../../contract';
import type { PredictionFilter, Settings, TargetKind } from '../../app/settings';
import { defaultLayer, neuronShape, validNeuron } from '../../app/requests';
import { ParamForm } from './param-form';
import type { RawArgs } from '../../app/params';

interface Props {
  workspaces: string[];
  info: AppInfo | null;
  settings: Settings;
  update(change: Partial<Settings>): void;
  errors: Record<string, string>;
  estimate: { value: Estimate | null; error: string | null; loading: boolean };
  busy: boolean;
  canRun: boolean;
  onFetch(): void;
  onRun(): void;
  /** What was changed to fit the workspace (a class it does not have, ...), said once. */
  notes?: string[];
  onDismissNotes?(): void;
}

/** Where each settings error's field is, and what to call it. */
function errorField(key: string): { id: string; name: string } {
  if (key === 'target') return { id: fieldId('Class'), name: 'Class' };
  if (key === 'neuron') return { id: fieldId('Neuron'), name: 'Neuron' };
  if (key === 'methods') return { id: 'methods-legend', name: 'Methods' };
  const [method, param] = key.split('.');
  return { id: `arg-${method}-${param}`, name: `${method} ${param}` };
}

const FAMILIES = ['gradient', 'perturbation', 'layer', 'neuron'];

/** Names of a layer output's dimensions by their number (images: channel, row, column). */
const DIMENSIONS: Record<number, string[]> = { 1: ['unit'], 2: ['position', 'unit'], 3: ['channel', 'row', 'column'] };

/** Whether the screen is narrow (the layout's one-column breakpoint). */
function narrow(): boolean {
  return typeof window.matchMedia === 'function' && window.matchMedia('(max-width: 760px)').matches;
}

/** A stable element id for a labelled field. */
function fieldId(label: string): string {
  return `field-${label.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
}

function toggle<T>(list: T[], item: T, on: boolean): T[] {
  return on ? (list.includes(item) ? list : [...list, item]) : list.filter((x) => x !== item);
}

function seconds(s: number): string {
  if (s < 0.1) return '< 0.1 s';
  if (s < 90) return `~${s < 10 ? s.toFixed(1) : Math.round(s)} s`;
  return `~${Math.round(s / 60)} min`;
}

function ClassPicker({ label, classes, chosen, onChange }: {
  label: string; classes: string[]; chosen: string[]; onChange(v: string[]): void;
}) {
  return (
    <div className="field">
      <label htmlFor={fieldId(label)}>{label}</label>
      <select id={fieldId(label)} multiple size={Math.min(4, classes.length)} value={chosen}
        onChange={(e) => onChange(Array.from(e.target.selectedOptions, (o) => o.value))}>
        {classes.map((c) => <option key={c} value={c}>{c}</option>)}
      </select>
    </div>
  );
}

export function Controls({ workspaces, info, settings, update, errors, estimate, busy, canRun, onFetch, onRun, notes = [], onDismissNotes }: Props) {
  // on a narrow screen the settings fold away below the workspace; Fetch / Run stay in view
  // (and fold again on Fetch, so the results come into view)
  const [collapsed, setCollapsed] = useState(narrow);
  // which method families are open: the user's choice, kept when its last method is unticked
  const [openFamilies, setOpenFamilies] = useState<Record<string, boolean>>({});
  const selected = info ? settings.methods.map((n) => info.methods.find((m) => m.name === n)).filter((m) => m !== undefined) : [];
  const needsLayer = selected.some((m) => m.needs_layer);
  const needsNeuron = selected.some((m) => m.needs_neuron);
  const takesBaselines = selected.some((m) => m.baselines !== 'none');
  const model = info?.models[settings.models[0] ?? 0];
  const shape = info && needsNeuron ? neuronShape(settings, info) : null;
  const setArg = (method: string, name: string, value: string | boolean) => {
    const args: Record<string, RawArgs> = { ...settings.args, [method]: { ...(settings.args[method] ?? {}), [name]: value } };
    update({ args });
  };
  const maxPage = info ? Math.min(info.limits.max_page_size ?? 64, info.limits.max_examples_per_job ?? 32) : 32;
  return (
    <form className="controls" onSubmit={(e) => { e.preventDefault(); if (narrow()) setCollapsed(true); onFetch(); }}
      aria-label="Attribution settings">
      <div className="field">
        <label htmlFor={fieldId('Workspace')}>Workspace</label>
        <select id={fieldId('Workspace')} value={settings.workspace} onChange={(e) => update({ workspace: e.target.value })}>
          {workspaces.map((w) => <option key={w} value={w}>{w}</option>)}
        </select>
      </div>
      <button type="button" className="settings-toggle" aria-expanded={!collapsed} aria-controls="settings-body"
        onClick={() => setCollapsed((c) => !c)}>{collapsed ? 'Show settings' : 'Hide settings'}</button>
      <div id="settings-body" className={collapsed ? 'settings-body collapsed' : 'settings-body'}>

      {info && info.models.length > 1 && (
        <fieldset>
          <legend>Models</legend>
          {info.models.map((m) => (
            <label key={m.index} className="check">
              <input type="checkbox" checked={settings.models.includes(m.index)}
                onChange={(e) => update({ models: toggle(settings.models, m.index, e.target.checked).sort() })} />
              {m.name}
            </label>
          ))}
        </fieldset>
      )}

      {info && (
        <fieldset className="methods">
          <legend id="methods-legend" tabIndex={-1}>Methods</legend>
          {errors.methods && <p className="param-error">{errors.methods}</p>}
          {FAMILIES.map((family) => {
            const methods = info.methods.filter((m) => m.family === family);
            if (!methods.length) return null;
            return (
              <details key={family} open={openFamilies[family] ?? (family === 'gradient' || family === 'perturbation'
                || methods.some((m) => settings.methods.includes(m.name)))}
                onToggle={(e) => {
                  const open = (e.currentTarget as HTMLDetailsElement).open;
                  setOpenFamilies((o) => (o[family] === open ? o : { ...o, [family]: open }));
                }}>
                <summary>{family}</summary>
                {methods.map((m) => (
                  <label key={m.name} className="check" title={m.help}>
                    <input type="checkbox" checked={settings.methods.includes(m.name)}
                      onChange={(e) => update({ methods: toggle(settings.methods, m.name, e.target.checked) })} />
                    {m.name}
                  </label>
                ))}
              </details>
            );
          })}
        </fieldset>
      )}

      {selected.map((m) => (
        <ParamForm key={m.name} method={m} raw={settings.args[m.name] ?? {}} onChange={(name, v) => setArg(m.name, name, v)} />
      ))}

      {info && (
        <fieldset>
          <legend>Target</legend>
          <div className="field">
            <label htmlFor={fieldId('Explain')}>Explain</label>
            <select id={fieldId('Explain')} value={settings.target} onChange={(e) => update({ target: e.target.value as TargetKind })}>
              <option value="default">default ({info.default_target === 'label' ? 'true label' : 'predicted class'})</option>
              <option value="predicted">predicted class</option>
              <option value="label">true label</option>
              <option value="class">a chosen class</option>
            </select>
          </div>
          {settings.target === 'class' && (
            <div className="field">
              <label htmlFor={fieldId('Class')}>Class</label>
              <select id={fieldId('Class')} value={settings.targetClass} aria-invalid={errors.target ? true : undefined}
                onChange={(e) => update({ targetClass: e.target.value })}>
                <option value="">choose…</option>
                {info.classes.map((c) => <option key={c} value={c}>{c}</option>)}
              </select>
            </div>
          )}
        </fieldset>
      )}

      {info && takesBaselines && (
        <fieldset>
          <legend>Baselines</legend>
          {info.features.map((f) => (
            <div key={f.name} className="field">
              <label htmlFor={fieldId(`Baseline for ${f.name}`)}>Baseline for {f.name}</label>
              <select id={fieldId(`Baseline for ${f.name}`)} value={settings.baselines[f.name] ?? f.baselines[0] ?? ''}
                onChange={(e) => update({ baselines: { ...settings.baselines, [f.name]: e.target.value } })}>
                {f.baselines.map((b) => <option key={b} value={b}>{b}</option>)}
              </select>
            </div>
          ))}
        </fieldset>
      )}

      {info && (needsLayer || needsNeuron) && (
        <fieldset>
          <legend>Layer</legend>
          <div className="field">
            <label htmlFor={fieldId('Layer')}>Layer</label>
            <select id={fieldId('Layer')} value={settings.layer || defaultLayer(model)} onChange={(e) => {
              const chosen = neuronShape({ ...settings, layer: e.target.value }, info);
              update({ layer: e.target.value, neuron: validNeuron(settings.neuron, chosen) });
            }}>
              {(model?.layers ?? []).map((l) => {
                const size = model?.layer_shapes?.[l];
                return <option key={l} value={l}>{size ? `${l} (${size.join('×')})` : l}</option>;
              })}
            </select>
          </div>
          {needsNeuron && shape && (
            <fieldset className="neuron" aria-describedby="neuron-help">
              <legend>Neuron</legend>
              {shape.map((size, d) => {
                const parts = settings.neuron.split(',');
                return (
                  <label key={d} className="neuron-index">
                    <span className="muted small">{DIMENSIONS[shape.length]?.[d] ?? `index ${d + 1}`} (0–{size - 1})</span>
                    <input id={d === 0 ? fieldId('Neuron') : undefined} type="number" min={0} max={size - 1} step={1}
                      value={parts[d] ?? '0'} aria-label={`Neuron index ${d + 1} of ${shape.length}`}
                      aria-invalid={errors.neuron ? true : undefined}
                      onChange={(e) => {
                        const next = shape.map((_, i) => (i === d ? e.target.value : parts[i] ?? '0'));
                        update({ neuron: next.join(',') });
                      }} />
                  </label>
                );
              })}
              <span id="neuron-help" className="param-help">the layer's output is {shape.join(' × ')} per example</span>
            </fieldset>
          )}
          {needsNeuron && !shape && (
            <div className="field">
              <label htmlFor={fieldId('Neuron')}>Neuron</label>
              <input id={fieldId('Neuron')} type="text" value={settings.neuron} aria-invalid={errors.neuron ? true : undefined}
                onChange={(e) => update({ neuron: e.target.value })} placeholder="e.g. 3 or 0,2,2" aria-describedby="neuron-help" />
              <span id="neuron-help" className="param-help">one index per dimension of the layer's output (without the batch)</span>
            </div>
          )}
          {errors.neuron && <p className="param-error">{errors.neuron}</p>}
        </fieldset>
      )}

      {info && (
        <fieldset>
          <legend>Examples</legend>
          <div className="field">
            <label htmlFor={fieldId('Show')}>Show</label>
            <select id={fieldId('Show')} value={settings.prediction} onChange={(e) => update({ prediction: e.target.value as PredictionFilter })}>
              <option value="all">all examples</option>
              <option value="correct">correctly predicted</option>
              <option value="incorrect">incorrectly predicted</option>
            </select>
          </div>
          <ClassPicker label="True classes" classes={info.classes} chosen={settings.trueClasses}
            onChange={(v) => update({ trueClasses: v })} />
          <ClassPicker label="Predicted classes" classes={info.classes} chosen={settings.predictedClasses}
            onChange={(v) => update({ predictedClasses: v })} />
          <div className="field">
            <label htmlFor={fieldId('Number of examples')}>Number of examples</label>
            <input id={fieldId('Number of examples')} type="number" min={1} max={maxPage} value={settings.pageSize}
              onChange={(e) => update({ pageSize: Math.min(Math.max(1, Number(e.target.value) || 1), maxPage) })} />
          </div>
          <label className="check">
            <input type="checkbox" checked={settings.faithfulness} onChange={(e) => update({ faithfulness: e.target.checked })} />
            faithfulness scores (deletion AUC, infidelity)
          </label>
        </fieldset>
      )}

      </div>

      <div className="run-row">
        <button type="submit" className="primary" disabled={!canRun || busy} aria-keyshortcuts="Control+Enter"
          title="Load a page of examples and run the selected methods (Ctrl+Enter)">Fetch</button>
        <button type="button" onClick={onRun} disabled={!canRun || busy} title="Run the selected methods on the examples shown">Run</button>
        <span className="estimate" aria-live="polite">
          {estimate.error ? <span className="warn">{estimate.error}</span>
            : estimate.value ? (
              <span className={estimate.value.within_limits ? undefined : 'warn'}>
                ≈ {estimate.value.passes.toLocaleString()} passes, {seconds(estimate.value.seconds)}
                {estimate.value.message ? ` — ${estimate.value.message}` : ''}
              </span>
            ) : estimate.loading ? 'estimating…' : null}
        </span>
        {Object.keys(errors).length > 0 && (
          <div className="run-errors" role="status">
            <span>Fetch needs:</span>
            <ul>
              {Object.entries(errors).map(([key, message]) => {
                const where = errorField(key);
                return (
                  <li key={key}>
                    <button type="button" className="link" onClick={() => {
                      setCollapsed(false);
                      setTimeout(() => document.getElementById(where.id)?.focus(), 0);
                    }}>{where.name}</button>: {message}
                  </li>
                );
              })}
            </ul>
          </div>
        )}
        {notes.length > 0 && (
          <div className="run-notes" role="status">
            {notes.map((n) => <span key={n}>{n}</span>)}
            {onDismissNotes && <button type="button" className="link" onClick={onDismissNotes}>OK</button>}
          </div>
        )}
      </div>
    </form>
  );
}

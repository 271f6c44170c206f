/** Attribute an input of your own: drop or pick an image, type a text, or paste a series. */
import { useState } from 'react';
import type { FeatureInfo } from '../../contract';

export type UploadValue = { image: string } | { text: string } | { series: number[][] };

interface Props {
  features: FeatureInfo[];
  busy: boolean;
  onUpload(inputs: Record<string, UploadValue>): void;
}

/** Rows of numbers (one channel per line, separated by commas or spaces). */
export function parseSeries(text: string): number[][] | null {
  const rows = text.trim().split(/\n+/).map((line) => line.trim().split(/[\s,;]+/).filter(Boolean).map(Number));
  return rows.length && rows.every((r) => r.length && r.every(Number.isFinite)) ? rows : null;
}

function readAsBase64(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result));
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(file);
  });
}

export function UploadPanel({ features, busy, onUpload }: Props) {
  const uploadable = features.filter((f) => f.accepts_upload && f.kind !== 'general');
  const [values, setValues] = useState<Record<string, UploadValue>>({});
  const [texts, setTexts] = useState<Record<string, string>>({});
  const [dragging, setDragging] = useState(false);
  if (uploadable.length === 0) return null;
  const set = (name: string, value: UploadValue | null) => setValues((v) => {
    const next = { ...v };
    if (value) next[name] = value;
    else delete next[name];
    return next;
  });
  const takeFile = async (name: string, file: File | undefined) => {
    if (file) set(name, { image: await readAsBase64(file) });
  };
  const ready = uploadable.every((f) => values[f.name]);
  return (
    <details className="upload">
      <summary>Your own input</summary>
      {uploadable.map((f) => {
        const id = `upload-${f.name}`;
        if (f.kind === 'image') {
          const value = values[f.name];
          return (
            <div key={f.name} className={`dropzone${dragging ? ' dragging' : ''}`}
              onDragOver={(e) => { e.preventDefault(); setDragging(true); }} onDragLeave={() => setDragging(false)}
              onDrop={(e) => { e.preventDefault(); setDragging(false); void takeFile(f.name, e.dataTransfer.files[0]); }}>
              <label htmlFor={id}>Image for {f.name} (drop a file here or pick one)</label>
              <input id={id} type="file" accept="image/*" onChange={(e) => void takeFile(f.name, e.target.files?.[0])} />
              {value && 'image' in value && <img src={value.image} alt={`your ${f.name}`} className="upload-preview" />}
            </div>
          );
        }
        const series = f.kind === 'timeseries';
        return (
          <div key={f.name} className="field">
            <label htmlFor={id}>{series ? `Series for ${f.name} (one channel per line)` : `Text for ${f.name}`}</label>
            <textarea id={id} rows={series ? 4 : 3} value={texts[f.name] ?? ''} onChange={(e) => {
              const text = e.target.value;
              setTexts((t) => ({ ...t, [f.name]: text }));
              if (series) {
                const rows = parseSeries(text);
                set(f.name, rows ? { series: rows } : null);
              } else set(f.name, text.trim() ? { text } : null);
            }} />
          </div>
        );
      })}
      <button type="button" disabled={!ready || busy} onClick={() => onUpload(values)}>Attribute my input</button>
    </details>
  );
}

import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, readSettings, writeSettings } from './settings';

describe('settings in the URL', () => {
  it('round-trips methods, arguments, filters and target, and keeps the token', () => {
    const s = {
      ...DEFAULT_SETTINGS, workspace: 'digits', methods: ['IntegratedGradients', 'Occlusion'],
      args: { IntegratedGradients: { n_steps: '100', multiply_by_inputs: false } },
      target: 'class' as const, targetClass: '7', prediction: 'incorrect' as const, trueClasses: ['1', '7'],
      pageSize: 8, baselines: { digit: 'blur' },
    };
    const search = writeSettings(s, '?token=abc&stale=1');
    expect(search).toContain('token=abc');
    expect(search).not.toContain('stale');
    const back = readSettings(search);
    expect(back).toEqual({ ...s });
  });

  it('falls back to defaults for what the URL does not say', () => {
    expect(readSettings('?token=x')).toEqual({ ...DEFAULT_SETTINGS, args: {}, baselines: {} });
  });
});

import { defaultColormap } from '../heatmap/colormap';
import type { Sign } from '../heatmap/normalize';
import type { ImageMode } from '../heatmap/paint';

/** How attributions are drawn; changed client-side, applied at once to every panel. */
export interface ViewSettings {
  sign: Sign;
  mode: ImageMode;
  cmap: string;
  alpha: number;
  outlierPerc: number;
}

export const DEFAULT_VIEW: ViewSettings = {
  sign: 'all', mode: 'blended_heat_map', cmap: defaultColormap('all'), alpha: 0.6, outlierPerc: 2,
};

/**
 * The anywidget entry: `render({ model, el })` mounts the dashboard's App with the widget
 * transport. The app lives in a shadow root so that its styles (which style `button`, `*`,
 * `:root`) and JupyterLab's stay apart; the stylesheet is bundled into this module as text.
 */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from '../App';
// eslint-disable-next-line boundaries/no-unknown-dependencies -- Vite's ?inline query: no resolver reads it
import appCss from '../styles.css?inline';
import { WidgetTransport, type WidgetModel } from './transport';

/** The app's page-level rules, rewritten for a shadow root inside a notebook output. */
export function widgetCss(css: string): string {
  return `${css.replace(/:root\b/g, ':host').replace(/(^|[\s,}])body\s*\{/g, '$1.insights-widget {')}
.insights-widget { height: var(--insights-height); overflow: auto; background: var(--bg);
  border: 1px solid var(--line); border-radius: 6px; font-size: 14px; }
.insights-widget .layout { min-height: calc(var(--insights-height) - 42px); }
.insights-widget .sidebar { max-height: calc(var(--insights-height) - 42px); }
`;
}

const HOST = 'data-insights-widget';
let shortcutGuard = false;

/**
 * The app's Ctrl/Cmd+Enter shortcut (Fetch) listens on the window; in a notebook the same keys
 * run a cell. Such a key press from outside every dashboard stops at the document (after the
 * notebook's own handlers, which listen there), so running a cell does not also fetch.
 */
function guardShortcut(): void {
  if (shortcutGuard) return;
  shortcutGuard = true;
  document.addEventListener('keydown', (event) => {
    if (event.key !== 'Enter' || !(event.ctrlKey || event.metaKey)) return;
    const inside = event.composedPath().some((node) => node instanceof Element && node.hasAttribute(HOST));
    if (!inside) event.stopPropagation();
  });
}

function render({ model, el }: { model: WidgetModel; el: HTMLElement }): () => void {
  guardShortcut();
  el.setAttribute(HOST, '');
  const shadow = el.shadowRoot ?? el.attachShadow({ mode: 'open' });
  const style = document.createElement('style');
  style.textContent = widgetCss(appCss);
  const container = document.createElement('div');
  container.className = 'insights-widget';
  const resize = () => container.style.setProperty('--insights-height', `${Number(model.get('height')) || 760}px`);
  resize();
  model.on('change:height', resize);
  shadow.replaceChildren(style, container);
  const transport = new WidgetTransport(model);
  const root = createRoot(container);
  root.render(
    <StrictMode>
      <App transport={transport} syncUrl={false} />
    </StrictMode>,
  );
  return () => {
    model.off('change:height', resize);
    root.unmount();
    transport.close();
    shadow.replaceChildren();
  };
}

export default { render };

import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { HttpTransport } from './transport/http';

const transport = new HttpTransport();
window.addEventListener('pagehide', () => transport.close());
createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App transport={transport} />
  </StrictMode>,
);

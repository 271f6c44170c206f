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
// open the socket once the first view is up, so the first Fetch does not wait for the handshake
window.addEventListener('load', () => setTimeout(() => void transport.connect().catch(() => undefined), 50), { once: true });

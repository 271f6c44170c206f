import { createContext, useContext } from 'react';
import type { Transport } from './types';

export const TransportContext = createContext<Transport | null>(null);

/** The transport the app was mounted with (see App). */
export function useTransport(): Transport {
  const transport = useContext(TransportContext);
  if (!transport) throw new Error('useTransport: the app must be mounted with a transport');
  return transport;
}

/** A readable error with the server's message, and a way to try again. (The field name the JSON
 *  carries is for programs; the message says what to change.) */
import type { ErrorDetail } from '../../contract';

export function ErrorBanner({ error, context, onRetry, onDismiss }: {
  error: ErrorDetail; context?: string; onRetry?: () => void; onDismiss(): void;
}) {
  return (
    <div className="banner error" role="alert">
      <div>
        <strong>{context ? `${context} failed` : 'Something went wrong'}:</strong> {error.message}
      </div>
      <div className="banner-actions">
        {onRetry && <button type="button" onClick={onRetry}>Retry</button>}
        <button type="button" onClick={onDismiss} aria-label="Dismiss error">×</button>
      </div>
    </div>
  );
}

import { useState } from 'react';
import { api } from '../api/client.js';

/** Shown when the API answers 401: this Studio needs its token. */
export function Login({ onDone }: { onDone: () => void }) {
  const [token, setToken] = useState('');
  const [error, setError] = useState<string>();
  return (
    <form className="login" onSubmit={(e) => {
      e.preventDefault();
      api.login(token).then(onDone, (err: Error) => setError(err.message));
    }}>
      <h2>Sign in to Loom Studio</h2>
      <p>This Studio is reachable from other machines, so it asks for the token it was started with.</p>
      <input type="password" name="token" placeholder="token" value={token} onChange={(e) => setToken(e.target.value)} autoFocus />
      <button type="submit">Sign in</button>
      {error && <p className="error">{error}</p>}
    </form>
  );
}

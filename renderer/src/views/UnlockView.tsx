import { useState, type FormEvent } from 'react';

import { messageOf, useApi } from '../api/hooks';
import { Alert } from '../components/Alert';

export function UnlockView({ onUnlocked }: { onUnlocked: () => void }) {
  const api = useApi();
  const [passphrase, setPassphrase] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await api.call('session:unlock', { passphrase });
      setPassphrase('');
      onUnlocked();
    } catch (err) {
      setError(messageOf(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="panel narrow">
      <h1>Unlock the workstation</h1>
      <form onSubmit={(e) => void submit(e)}>
        <label htmlFor="passphrase">Passphrase</label>
        <input
          id="passphrase"
          type="password"
          autoComplete="current-password"
          autoFocus
          required
          value={passphrase}
          onChange={(e) => setPassphrase(e.target.value)}
        />
        <Alert message={error} />
        <button type="submit" className="primary" disabled={busy || passphrase === ''}>
          {busy ? 'Unlocking…' : 'Unlock'}
        </button>
      </form>
    </section>
  );
}

import { useState, type FormEvent } from 'react';

import { messageOf, useApi } from '../api/hooks';
import { Alert } from '../components/Alert';

/** First run: who works here and the passphrase; then the recovery key, shown this once. */
export function SetupView({ onDone }: { onDone: () => void }) {
  const api = useApi();
  const [operator, setOperator] = useState('');
  const [passphrase, setPassphrase] = useState('');
  const [again, setAgain] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [recoveryKey, setRecoveryKey] = useState<string | null>(null);
  const [kept, setKept] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (passphrase !== again) {
      setError('the two passphrases differ');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const done = await api.call('session:init', { operator, passphrase });
      setPassphrase('');
      setAgain('');
      setRecoveryKey(done.recoveryKey);
    } catch (err) {
      setError(messageOf(err));
    } finally {
      setBusy(false);
    }
  };

  if (recoveryKey) {
    return (
      <section className="panel narrow" aria-labelledby="recovery-heading">
        <h1 id="recovery-heading">Write down the recovery key</h1>
        <p>
          It unlocks this workstation if the passphrase is lost. It is shown this once and kept
          nowhere: write it down and keep it apart from this terminal.
        </p>
        <p className="recovery-key">
          <code>{recoveryKey}</code>
        </p>
        <label className="inline">
          <input type="checkbox" checked={kept} onChange={(e) => setKept(e.target.checked)} />I have
          written the recovery key down
        </label>
        <button type="button" className="primary" disabled={!kept} onClick={onDone}>
          Continue
        </button>
      </section>
    );
  }

  return (
    <section className="panel narrow" aria-labelledby="setup-heading">
      <h1 id="setup-heading">Set up this workstation</h1>
      <p>Every action on evidence is recorded under the name given here.</p>
      <form onSubmit={(e) => void submit(e)}>
        <label>
          Your name and number, as audit entries will show them
          <input
            autoFocus
            required
            maxLength={100}
            value={operator}
            onChange={(e) => setOperator(e.target.value)}
            placeholder="e.g. DC Jane Smith 1234"
          />
        </label>
        <label>
          Passphrase (three or more random words work well)
          <input
            type="password"
            autoComplete="new-password"
            required
            value={passphrase}
            onChange={(e) => setPassphrase(e.target.value)}
          />
        </label>
        <label>
          The passphrase again
          <input
            type="password"
            autoComplete="new-password"
            required
            value={again}
            onChange={(e) => setAgain(e.target.value)}
          />
        </label>
        <Alert message={error} />
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Setting up…' : 'Set up'}
        </button>
      </form>
    </section>
  );
}

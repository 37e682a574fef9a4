import { useState } from 'react';

import type { CaseSummary } from '../../main/api/contract';
import { useApi, useQuery } from './api/hooks';
import { Alert } from './components/Alert';
import { CaseListView } from './views/CaseListView';
import { CaseView } from './views/CaseView';
import { SetupView } from './views/SetupView';
import { UnlockView } from './views/UnlockView';
import { showControls as shown } from '../../main/visibleText';

/** The window: unlock, then the case list, then one case at a time. */
export function App() {
  const api = useApi();
  const session = useQuery('session:state', {});
  const [open, setOpen] = useState<CaseSummary | null>(null);

  const lock = async () => {
    await api.call('session:lock', {});
    setOpen(null);
    session.reload();
  };

  let body;
  if (session.error) {
    body = <Alert message={session.error} />;
  } else if (!session.data) {
    body = <p aria-busy="true">Starting…</p>;
  } else if (!session.data.initialised) {
    body = <SetupView onDone={session.reload} />;
  } else if (!session.data.unlocked) {
    body = <UnlockView onUnlocked={session.reload} />;
  } else if (open) {
    body = <CaseView caseId={open.id} onClose={() => setOpen(null)} />;
  } else {
    body = <CaseListView onOpen={setOpen} />;
  }

  return (
    <>
      <header className="topbar">
        <span className="product">TOEX Workstation</span>
        {session.data?.unlocked && (
          <>
            <span className="operator" title="Signed in as">
              {shown(session.data.operator ?? '')}
            </span>
            <button type="button" onClick={() => void lock()}>
              Lock
            </button>
          </>
        )}
      </header>
      <main id="main">{body}</main>
    </>
  );
}

import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';

import { createClient } from './api/client';
import { ApiContext } from './api/hooks';
import { App } from './App';
import './styles.css';

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <ApiContext.Provider value={createClient()}>
      <App />
    </ApiContext.Provider>
  </StrictMode>,
);

import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import 'stream-chat-react/dist/css/index.css';
import './app.css';
import { App } from './App.jsx';
import { readConfig } from './config.js';

createRoot(document.getElementById('root')).render(
  <StrictMode>
    <App config={readConfig()} />
  </StrictMode>,
);
